import { databaseName, type EncryptionReport, type Vault } from 'offline-vault';
import { mountAttackerPanel } from './attacker-panel.js';
import { demoApp, LABELS, NOUNS } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { createDraftNote } from './draft-note.js';
import { LEVELS } from './security-levels.js';
import { createSecuritySettings } from './security-settings.js';
import { entityRights } from './user-rights.js';

/**
 * The Security tab: the protection level of this device's data and what it protects against,
 * the settings that change it, the memory-only draft note, the storage audit and the raw-storage
 * viewer (what an attacker with the browser profile sees).
 */
export function mountSecurityView(root: HTMLElement, vault: Vault, user: { id: string; roles: readonly string[] }, signal: AbortSignal): { refresh(): Promise<void> } {
  const dbName = databaseName(vault.name);
  const withheld = [...demoApp.entities.values()]
    .filter((e) => e.persistent)
    .flatMap((e) => {
      const rights = entityRights(demoApp, e.name, user.roles);
      const members = [...e.attributes.keys(), ...e.references.keys()].filter((m) => !rights.readable(m));
      return members.length === 0 ? [] : [{ entity: e.name, members }];
    });

  const protection = h('section', { class: 'card', 'aria-labelledby': 'protection-title', id: 'protection' });
  const audit = h('section', { class: 'card audit', id: 'audit', 'aria-labelledby': 'audit-title' });
  const settings = createSecuritySettings(vault, { user: user.id, signal, onChanged: () => void refresh() });
  const attacker = h('section', { class: 'attacker', 'aria-labelledby': 'attacker-title' });
  // Two columns on wide screens: what you can change, then the evidence (audit, raw storage).
  replaceChildren(root, h('div', { class: 'security-col' }, protection, settings.element, createDraftNote(vault)), h('div', { class: 'security-col' }, audit, attacker));
  const panel = mountAttackerPanel(attacker, vault, dbName);

  function renderProtection(): void {
    const level = vault.securityLevel;
    const info = LEVELS[level];
    const encrypted = level !== 'none';
    const wrapped = level === 'passphrase' || level === 'passkey';
    const migrating = vault.reencryption()?.kind === 'migrate';
    replaceChildren(
      protection,
      h(
        'div',
        { class: 'protection-head' },
        h('h2', { class: 'card-title', id: 'protection-title' }, 'Protection on this device'),
        h('span', { class: `level level-${info.tone}`, id: 'protection-level', 'data-level': level }, info.label),
      ),
      h('p', { class: 'level-explainer', id: 'protection-explainer' }, info.protects),
      h(
        'ul',
        { class: 'checks' },
        migrating
          ? item(null, 'Records are being encrypted', 'Existing rows are sealed batch by batch; everything written meanwhile is sealed already.')
          : item(
              encrypted,
              encrypted ? 'Records, indexes and pending changes are sealed' : 'Records are stored as plaintext',
              encrypted
                ? 'AES-GCM per record, bound to its entity and id. Searchable fields use blind indexes (HMAC), never readable values.'
                : 'Turn on database encryption below: the data is encrypted in place while you keep working.',
            ),
        wrapped
          ? item(true, 'Keys are stored only wrapped', `The stored keys are useless without your ${level}. Unlocked, they live in this page’s memory only, as non-extractable WebCrypto keys.`)
          : !encrypted
            ? item(null, 'No keys yet', 'Turning encryption on creates non-extractable WebCrypto keys: script can use them but never read them.')
            : item(
              encrypted ? true : null,
              level === 'ephemeral' ? 'Keys live in memory only' : 'Keys cannot leave the browser',
              'Non-extractable WebCrypto keys: script (including this app) can use them but never read them.',
            ),
        item(
          vault.persisted === true ? true : null,
          vault.persisted === true ? 'Storage is persisted' : 'Storage is best effort',
          vault.persisted === true ? 'The browser agreed not to evict this data under storage pressure.' : 'The browser may evict this data under storage pressure; unsynced changes would be lost.',
        ),
        item(
          true,
          withheld.length === 0 ? 'Your roles may read every field' : 'Fields you may not read never reach this device',
          withheld.length === 0
            ? 'The server sends every member of the objects you may read.'
            : `The server leaves them out of every response: ${withheld.map((w) => `${NOUNS[w.entity]?.[0] ?? w.entity} ${w.members.map((m) => (LABELS[m] ?? m).toLowerCase()).join(', ')}`).join('; ')}.`,
        ),
        item(null, 'Sign-out wipes this device', `Signing out deletes the database ${dbName}: data, files, keys and sync state.`),
      ),
    );
  }

  async function refreshAudit(): Promise<void> {
    renderAudit(audit, await vault.verifyEncryption());
  }

  async function refresh(): Promise<void> {
    if (vault.locked) return;
    renderProtection();
    await Promise.all([settings.update(), panel.refresh(), refreshAudit()]);
  }

  renderProtection();
  void settings.update();
  return { refresh };
}

function item(ok: boolean | null, title: string, text: string): HTMLElement {
  return h(
    'li',
    { class: `check ${ok === true ? 'is-ok' : ok === false ? 'is-warn' : 'is-neutral'}` },
    h('span', { class: 'check-mark', 'aria-hidden': 'true' }, ok === true ? '✓' : ok === false ? '!' : '•'),
    h('div', {}, h('p', { class: 'check-title' }, title), h('p', { class: 'check-text' }, text)),
  );
}

/** The verifyEncryption() report as a table, with a verdict that also names plaintext by choice. */
function renderAudit(root: HTMLElement, report: EncryptionReport): void {
  const exposed = report.stores.reduce((n, s) => n + s.unexpectedPlaintext, 0);
  const plainFiles = report.encrypted ? (report.stores.find((s) => s.name === '_files')?.plainByDesign ?? 0) : 0;
  const verdict = !report.encrypted
    ? { text: 'Encryption off', tone: 'warn' }
    : !report.ok
      ? { text: `${exposed} ${exposed === 1 ? 'row' : 'rows'} in plaintext`, tone: 'warn' }
      : { text: 'Nothing exposed', tone: 'good' };
  const rows = report.stores
    .filter((s) => s.rows > 0)
    .map((s) =>
      h(
        'tr',
        { 'data-store': s.name },
        h('th', { scope: 'row' }, s.name),
        h('td', {}, String(s.rows)),
        h('td', {}, String(s.sealed)),
        h('td', {}, String(s.plainByDesign)),
        h('td', { class: s.unexpectedPlaintext > 0 ? 'audit-bad' : '' }, String(s.unexpectedPlaintext)),
        h('td', { class: 'audit-keys' }, s.keyIds.length === 0 ? '—' : s.keyIds.join(', ')),
      ),
    );
  replaceChildren(
    root,
    h(
      'div',
      { class: 'protection-head' },
      h('h2', { class: 'card-title', id: 'audit-title' }, 'Storage audit'),
      h('span', { class: `level level-${verdict.tone}`, id: 'audit-result', 'data-ok': String(report.ok && report.encrypted) }, verdict.text),
    ),
    h(
      'p',
      { class: 'check-text' },
      'verifyEncryption() read every store of this database through the raw IndexedDB API: sealed values, values that are plain by design (key handles, version tokens), plaintext where a sealed value was expected, and the key generations in use.',
    ),
    !report.encrypted ? h('p', { class: 'audit-note' }, 'This vault is not encrypted, so every row is plaintext by choice.') : null,
    report.encrypted && !report.ok ? h('p', { class: 'audit-note' }, 'Rows still in plaintext: normal while the database is being encrypted; they are sealed batch by batch.') : null,
    plainFiles > 0 ? h('p', { class: 'audit-note', id: 'audit-plain-files' }, `${plainFiles} ${plainFiles === 1 ? 'photo was' : 'photos were'} stored while file encryption was off: use Encrypt existing files.`) : null,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'audit-table' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, 'Store'), h('th', { scope: 'col' }, 'Rows'), h('th', { scope: 'col' }, 'Sealed'), h('th', { scope: 'col' }, 'Plain by design'), h('th', { scope: 'col' }, 'Exposed'), h('th', { scope: 'col' }, 'Key gen.')),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
