import { isVaultError, type ProtectionTarget, type ReencryptProgress, type Vault } from 'offline-vault';
import { h } from './dom.js';
import { PHOTO } from './demo-app.js';
import { keyErrorMessage } from './key-error-message.js';
import { passphraseForm, type PassphraseProblem } from './passphrase-form.js';
import { createProgressMeter } from './progress-meter.js';
import { canLock } from './security-levels.js';
import { loadVaultSettings, saveVaultSettings } from './vault-settings.js';

/** What the settings card needs from the Security tab around it. */
export interface SecuritySettingsHooks {
  /** The signed-in user (whose demo settings are stored). */
  user: string;
  /** Runs after every change of level, keys or files: the tab re-reads the audit and raw storage. */
  onChanged(): void;
  /** Aborts when the app shell is taken down (lock, sign-out). */
  signal: AbortSignal;
}

const IDLE_CHOICES: ReadonlyArray<[string, number | null]> = [
  ['Never', null],
  ['After 1 minute', 1],
  ['After 5 minutes', 5],
  ['After 15 minutes', 15],
  ['After 1 hour', 60],
];

/**
 * The Security tab's settings: turn on database encryption, encrypt existing photos, protect with
 * a passphrase or passkey, change the passphrase, lock now or when idle, rotate keys. Every
 * re-encryption shows its progress; the rest of the app stays usable while it runs.
 */
export function createSecuritySettings(vault: Vault, hooks: SecuritySettingsHooks): { element: HTMLElement; update(): Promise<void> } {
  let busy = false;
  /** The progress meter shows a running job (so its end is reported once). */
  let jobShown = false;
  const jobMeter = createProgressMeter('reencrypt-progress');
  const fileMeter = createProgressMeter('file-progress');
  const message = h('p', { class: 'settings-message', id: 'settings-message', role: 'alert', hidden: true });

  const button = (id: string, label: string, run: () => Promise<void>, primary = false): HTMLButtonElement =>
    h('button', { type: 'button', class: `btn btn-small${primary ? ' btn-primary' : ''}`, id, onClick: () => void guarded(run) }, label);

  const dbState = h('p', { class: 'check-text', id: 'db-encryption-state' });
  const enableButton = button('enable-encryption', 'Turn on database encryption', enableEncryption, true);
  const fileState = h('p', { class: 'check-text', id: 'file-encryption-state' });
  const encryptFilesButton = button('encrypt-files', 'Encrypt existing files', encryptFiles);
  const protectState = h('p', { class: 'check-text', id: 'protection-state' });
  const passphraseButton = h('button', { type: 'button', class: 'btn btn-small', id: 'protect-passphrase', onClick: () => openForm(protectForm) }, 'Protect with a passphrase');
  const passkeyButton = button('protect-passkey', 'Protect with a passkey', protectWithPasskey);
  const changeButton = h('button', { type: 'button', class: 'btn btn-small', id: 'change-passphrase', onClick: () => openForm(changeForm) }, 'Change passphrase');
  const lockButton = h('button', { type: 'button', class: 'btn btn-small', id: 'lock-now', onClick: () => vault.lock() }, 'Lock now');
  const idleSelect = h(
    'select',
    { id: 'idle-lock', 'aria-describedby': 'idle-lock-hint' },
    ...IDLE_CHOICES.map(([label, minutes]) => h('option', { value: minutes === null ? '' : String(minutes) }, label)),
  );
  const idleHint = h('p', { class: 'field-hint', id: 'idle-lock-hint' }, 'Locks after this long without use of the vault.');
  const rotateButton = button('rotate-keys', 'Rotate keys', rotateKeys);

  const protectForm = passphraseForm({
    id: 'protect-form',
    user: hooks.user,
    title: 'Protect with a passphrase',
    lede: 'Your data is re-encrypted under keys that only this passphrase unwraps. Without it, nobody can read this device’s copy; you can always sign in again and download it from the server.',
    askCurrent: false,
    submitLabel: 'Set passphrase',
    submit: ({ next }) => formRun(() => protect({ level: 'passphrase', passphrase: next })),
    onCancel: () => closeForms(),
  });
  const changeForm = passphraseForm({
    id: 'change-form',
    user: hooks.user,
    title: 'Change passphrase',
    lede: 'Only the wrapping of the keys changes: no data is re-encrypted.',
    askCurrent: true,
    submitLabel: 'Change passphrase',
    submit: ({ current, next }) => formRun(() => vault.changePassphrase({ current, next })),
    onCancel: () => closeForms(),
  });
  protectForm.element.hidden = true;
  changeForm.element.hidden = true;

  const row = (id: string, title: string, ...children: Array<Node | null>): HTMLElement =>
    h('li', { class: 'setting', id }, h('h3', { class: 'setting-title' }, title), ...children);
  const dbRow = row('setting-database', 'Database encryption', dbState, h('div', { class: 'setting-actions' }, enableButton));
  const fileRow = row('setting-files', 'Photo encryption', fileState, h('div', { class: 'setting-actions' }, encryptFilesButton), fileMeter.element);
  const protectRow = row(
    'setting-protection',
    'Unlock protection',
    protectState,
    h('div', { class: 'setting-actions' }, passphraseButton, passkeyButton, changeButton),
    protectForm.element,
    changeForm.element,
  );
  const lockRow = row(
    'setting-lock',
    'Locking',
    h('p', { class: 'check-text' }, 'A locked vault drops its keys from memory and shows the unlock screen instead of your data.'),
    h('div', { class: 'setting-actions' }, lockButton),
    h('div', { class: 'field' }, h('label', { for: 'idle-lock' }, 'Lock when idle'), idleSelect, idleHint),
  );
  const rotateRow = row(
    'setting-rotate',
    'Key rotation',
    h('p', { class: 'check-text' }, 'New keys for everything; older rows are re-encrypted in the background and the old keys are destroyed once unused.'),
    h('div', { class: 'setting-actions' }, rotateButton),
  );

  const element = h(
    'section',
    { class: 'card', id: 'security-settings', 'aria-labelledby': 'settings-title' },
    h('h2', { class: 'card-title', id: 'settings-title' }, 'Security settings'),
    jobMeter.element,
    message,
    h('ul', { class: 'settings' }, dbRow, fileRow, protectRow, lockRow, rotateRow),
  );

  idleSelect.value = String(loadVaultSettings(hooks.user).idleLockMinutes ?? '');
  idleSelect.addEventListener('change', () => {
    const minutes = idleSelect.value === '' ? null : Number(idleSelect.value);
    saveVaultSettings(hooks.user, { idleLockMinutes: minutes });
    vault.setLockAfterIdle(minutes === null ? undefined : minutes * 60_000);
    idleHint.textContent = minutes === null ? 'Saved: the vault stays unlocked until you lock it or close the app.' : `Saved: it locks after ${minutes === 60 ? '1 hour' : `${minutes} minute${minutes === 1 ? '' : 's'}`} without use.`;
  });

  // A migration started by openVault, or a job resumed from an earlier page, shows here too.
  hooks.signal.addEventListener('abort', vault.on('reencrypt-progress', showJob));
  const resumed = vault.reencryption();
  if (resumed !== null) showJob(resumed);

  /** Progress of the running re-encryption (events and onProgress both land here). */
  function showJob(p: ReencryptProgress): void {
    if (vault.reencryption() !== null) {
      jobShown = true;
      jobMeter.show(jobLabel(p.kind, vault.securityLevel), p.done, p.total, 'rows');
    } else if (jobShown) {
      jobShown = false;
      jobMeter.finish(finishedText(p));
      hooks.onChanged();
    }
  }

  function say(text: string | null): void {
    message.textContent = text ?? '';
    message.hidden = text === null;
  }

  /** Runs one key operation at a time; its failure is shown, never thrown. */
  async function guarded(run: () => Promise<void>): Promise<void> {
    if (busy) return;
    busy = true;
    say(null);
    await update();
    try {
      await run();
    } catch (error) {
      say(keyErrorMessage(error));
    } finally {
      busy = false;
      await update();
      hooks.onChanged();
    }
  }

  /** Runs a form's operation: a wrong current passphrase shows at its field. */
  async function formRun(run: () => Promise<void>): Promise<PassphraseProblem | null> {
    if (busy) return { field: 'form', message: 'Another change is still running; try again when it has finished.' };
    let problem: PassphraseProblem | null = null;
    await guarded(async () => {
      try {
        await run();
        closeForms();
      } catch (error) {
        problem = { field: isVaultError(error) && error.code === 'bad-credentials' ? 'current' : 'form', message: keyErrorMessage(error) };
      }
    });
    return problem;
  }

  function openForm(form: { element: HTMLFormElement; focus(): void }): void {
    closeForms();
    say(null);
    form.element.hidden = false;
    form.focus();
  }

  function closeForms(): void {
    protectForm.element.hidden = true;
    changeForm.element.hidden = true;
  }

  async function enableEncryption(): Promise<void> {
    // From now on this user's vault opens encrypted (new photos included).
    saveVaultSettings(hooks.user, { encryptDatabase: true });
    await vault.enableEncryption({ onProgress: showJob });
  }

  function protectWithPasskey(): Promise<void> {
    return protect({ level: 'passkey' });
  }

  /** Moves to a passphrase or passkey; a failure (PrfUnsupportedError, cancel) leaves the level as it was. */
  async function protect(target: ProtectionTarget): Promise<void> {
    await vault.setProtection(target, { onProgress: showJob });
    saveVaultSettings(hooks.user, { encryptDatabase: true });
  }

  async function rotateKeys(): Promise<void> {
    await vault.rotateKeys({ onProgress: showJob });
  }

  async function encryptFiles(): Promise<void> {
    fileMeter.show('Encrypting photos', 0, 0, 'photos');
    const { encrypted } = await vault.files.encryptExisting({ onProgress: ({ done, total }) => fileMeter.show('Encrypting photos', done, total, 'photos') });
    fileMeter.finish(`Done: ${encrypted} ${encrypted === 1 ? 'photo' : 'photos'} encrypted.`);
  }

  /** Shows what applies to the current level and state. */
  async function update(): Promise<void> {
    const level = vault.securityLevel;
    const encrypted = level !== 'none';
    const job = vault.reencryption();
    const plainFiles = await countPlainFiles(vault);
    dbState.textContent = !encrypted
      ? 'Off: records, indexes and pending changes are stored as plaintext.'
      : job?.kind === 'migrate'
        ? 'Turning on: existing rows are sealed batch by batch; new writes are sealed already.'
        : 'On: records, indexes and pending changes are sealed with AES-GCM.';
    enableButton.hidden = encrypted;
    fileState.textContent = [
      vault.files.encrypted ? 'New photos are encrypted.' : 'New photos are stored unencrypted.',
      plainFiles === 0 ? 'No unencrypted photos on this device.' : `${plainFiles} ${plainFiles === 1 ? 'photo is' : 'photos are'} stored unencrypted.`,
      plainFiles > 0 && !encrypted ? 'Turn on database encryption first.' : '',
    ].filter(Boolean).join(' ');
    encryptFilesButton.hidden = plainFiles === 0;
    const methods = vault.unlockMethods();
    protectState.textContent = canLock(level)
      ? `Unlocks with ${methods.map((m) => (m.kind === 'passphrase' ? 'a passphrase' : 'a passkey')).join(' or ')}.`
      : level === 'ephemeral'
        ? 'Not available: this browser cannot store keys.'
        : 'None: this device opens the data without asking. Add a passphrase or passkey so a copied profile is useless.';
    passphraseButton.hidden = passkeyButton.hidden = !(level === 'none' || level === 'device');
    changeButton.hidden = !methods.some((m) => m.kind === 'passphrase');
    lockRow.hidden = !canLock(level);
    rotateRow.hidden = !encrypted || level === 'ephemeral';
    for (const b of [enableButton, encryptFilesButton, passphraseButton, passkeyButton, changeButton, rotateButton]) b.disabled = busy || job !== null;
    encryptFilesButton.disabled ||= !encrypted;
    element.dataset['level'] = level;
  }

  return { element, update };
}

/** How many photos on this device are stored unencrypted (written while file encryption was off). */
async function countPlainFiles(vault: Vault): Promise<number> {
  const photos = await vault.table(PHOTO).toArray();
  const infos = await Promise.all(photos.map((p) => vault.files.info(p.id)));
  return infos.filter((info) => info !== undefined && !info.encrypted).length;
}

function jobLabel(kind: ReencryptProgress['kind'], level: string): string {
  if (kind === 'migrate') return level === 'passphrase' || level === 'passkey' ? `Encrypting the database under your ${level}` : 'Encrypting the database';
  if (kind === 'rotate') return 'Re-encrypting with new keys';
  return `Re-encrypting under your ${level}`;
}

function finishedText(p: ReencryptProgress): string {
  const rows = `${p.total.toLocaleString('en')} ${p.total === 1 ? 'row' : 'rows'}`;
  if (p.kind === 'migrate') return `Done: ${rows} encrypted.`;
  if (p.kind === 'rotate') return `Done: ${rows} re-encrypted with new keys; the old keys are destroyed.`;
  return `Done: ${rows} re-encrypted under the new protection.`;
}
