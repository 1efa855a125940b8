import type { LockedEvent, Vault } from 'offline-vault';
import { confirmErase } from './confirm-dialog.js';
import { USER_PROFILES } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { keyErrorMessage } from './key-error-message.js';
import type { DemoSession } from './session.js';
import { brandMark } from './sign-in-view.js';

/** Why the lock screen shows: the vault opened locked, or it locked itself / was locked. */
export type LockReason = 'opened' | LockedEvent['reason'];

/** What the lock screen needs from the page around it. */
export interface LockScreenHooks {
  /** The vault is unlocked: show the app again. */
  onUnlocked(): void;
  /** The locked vault was erased (its credential is lost): back to sign-in. */
  onErased(): void;
}

/**
 * The unlock screen of a vault at the passphrase or passkey level: shown instead of the data
 * whenever the keys are not in memory. A wrong passphrase says so (BadCredentialsError) and
 * changes nothing.
 */
export function mountLockScreen(root: HTMLElement, vault: Vault, session: DemoSession, reason: LockReason, hooks: LockScreenHooks): void {
  const profile = USER_PROFILES[session.user] ?? { name: session.user, title: session.roles.join(', '), sees: '' };
  const kinds = new Set(vault.unlockMethods().map((m) => m.kind));
  const error = h('p', { class: 'field-error unlock-error', id: 'unlock-error', role: 'alert', hidden: true });
  const passphrase = h('input', { id: 'unlock-passphrase', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'unlock-error' });
  const unlockButton = h('button', { type: 'submit', class: 'btn btn-primary', id: 'unlock-button' }, 'Unlock');
  const passkeyButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'unlock-passkey', onClick: () => void unlock({ passkey: true }, passkeyButton) }, 'Unlock with passkey');
  const form = h(
    'form',
    { class: 'unlock-form', id: 'unlock-form', novalidate: true },
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: session.user, hidden: true, readOnly: true }),
    h('div', { class: 'field' }, h('label', { for: 'unlock-passphrase' }, 'Passphrase'), h('div', { class: 'unlock-row' }, passphrase, unlockButton)),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (passphrase.value === '') return showError('Enter your passphrase.');
    void unlock({ passphrase: passphrase.value }, unlockButton);
  });

  replaceChildren(
    root,
    h(
      'main',
      { class: 'signin lock', id: 'app-main' },
      h(
        'section',
        { class: 'signin-card lock-card', 'aria-labelledby': 'lock-title' },
        h('div', { class: 'signin-brand' }, brandMark(), h('div', {}, h('p', { class: 'brand-name' }, 'Field Sales'), h('p', { class: 'brand-sub' }, 'offline-vault demo'))),
        h('h1', { id: 'lock-title' }, 'Locked'),
        h(
          'div',
          { class: 'lock-who', id: 'locked-user', 'data-user': session.user },
          h('span', { class: 'avatar avatar-soft', 'aria-hidden': 'true' }, profile.name.charAt(0)),
          h('div', {}, h('p', { class: 'lock-name' }, profile.name), h('p', { class: 'lock-why', id: 'lock-reason' }, reasonText(reason, vault))),
        ),
        kinds.has('passphrase') ? form : null,
        kinds.has('passphrase') && kinds.has('passkey') ? h('p', { class: 'or' }, 'or') : null,
        kinds.has('passkey') ? passkeyButton : null,
        error,
        h(
          'p',
          { class: 'signin-foot' },
          'Lost your passphrase or passkey? ',
          h('button', { type: 'button', class: 'link-button', id: 'erase-vault', onClick: () => void erase() }, 'Erase this device’s data'),
          ' and sign in again: what was synced comes back from the server.',
        ),
      ),
    ),
  );
  (kinds.has('passphrase') ? passphrase : passkeyButton).focus();

  function showError(message: string): void {
    error.textContent = message;
    error.hidden = false;
    if (kinds.has('passphrase')) {
      passphrase.setAttribute('aria-invalid', 'true');
      passphrase.select();
      passphrase.focus();
    }
  }

  async function unlock(credential: { passphrase: string } | { passkey: true }, button: HTMLButtonElement): Promise<void> {
    error.hidden = true;
    passphrase.removeAttribute('aria-invalid');
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await vault.unlock(credential);
      hooks.onUnlocked();
    } catch (failure) {
      showError(keyErrorMessage(failure));
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  async function erase(): Promise<void> {
    if (!(await confirmErase())) return;
    // signOut works on a locked vault: unsynced changes cannot be read, so they go unread.
    await vault.signOut({ discardUnsynced: true }).catch(() => undefined);
    hooks.onErased();
  }
}

function reasonText(reason: LockReason, vault: Vault): string {
  const secret = vault.securityLevel === 'passkey' ? 'passkey' : 'passphrase';
  if (reason === 'idle') return `Locked after a while without use. Unlock with your ${secret} to continue.`;
  if (reason === 'lock') return `You locked the app. Your data stays encrypted until you unlock it with your ${secret}.`;
  return `This device’s data is protected by your ${secret}. Unlock to see it.`;
}
