import { openVault, type Vault } from 'offline-vault';
import { mountAppShell, type AppShell } from './app-shell.js';
import { demoApp } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { mountLockScreen, type LockReason } from './lock-screen.js';
import { clearSession, loadSession, SYNC_URL, vaultName, type DemoSession } from './session.js';
import { mountSignIn } from './sign-in-view.js';
import { registerDemoWorker } from './register-sw.js';
import { showUpdateBanner } from './update-banner.js';
import { clearVaultSettings, loadVaultSettings, saveVaultSettings } from './vault-settings.js';

declare global {
  interface Window {
    /** The signed-in user's vault, for trying the API in the browser console (and for the e2e tests). */
    vault?: Vault;
  }
}

const root = document.getElementById('root')!;
/** The signed-in, unlocked app, if any: the service worker's sync requests go to its sync bar. */
let shell: AppShell | undefined;

// The worker precaches the app shell (so a reload works with no network) and serves vault files.
const worker = registerDemoWorker({ onUpdate: showUpdateBanner, onSync: () => shell?.sync() ?? Promise.resolve() }).catch((error: unknown) => {
  console.warn('Field Sales: the service worker could not be registered; the app works online only.', (error as Error).name);
  return undefined;
});

/** Shows the sign-in screen, or the app of the user signed in on this browser. */
function start(): void {
  const session = loadSession();
  if (session === null) showSignIn();
  else void openApp(session);
}

function showSignIn(): void {
  document.body.dataset['screen'] = 'sign-in';
  mountSignIn(root, (session) => void openApp(session));
}

/**
 * One vault (one IndexedDB database) per user; its sync goes to the same origin. The demo
 * settings decide whether it starts encrypted and when it locks itself; passkeys are bound to
 * this host name (WebAuthn refuses IP addresses: open the demo at localhost to try them).
 */
async function openApp(session: DemoSession): Promise<void> {
  const settings = loadVaultSettings(session.user);
  let vault: Vault;
  try {
    vault = await openVault({
      name: vaultName(session.user),
      app: demoApp,
      sync: { url: SYNC_URL, token: session.token },
      encryption: { database: settings.encryptDatabase },
      passkey: { rpId: location.hostname, rpName: 'Field Sales', userName: session.user },
      ...(settings.idleLockMinutes === null ? {} : { lockAfterIdleMs: settings.idleLockMinutes * 60_000 }),
    });
  } catch (error) {
    showFatal(error);
    return;
  }
  // An existing encrypted vault stays encrypted whatever the setting says; new photos follow it too.
  if (!settings.encryptDatabase && vault.securityLevel !== 'none') saveVaultSettings(session.user, { encryptDatabase: true });
  window.vault = vault;
  console.info("Field Sales: try the vault in this console, e.g. await vault.query('Sales.Order', \"[Status = 'Open']\")");
  // Locking takes the whole app down (its DOM holds decrypted data) and shows the unlock screen.
  vault.on('locked', (event) => showLocked(vault, session, event.reason));
  if (vault.locked) showLocked(vault, session, 'opened');
  else showApp(vault, session);
}

function showApp(vault: Vault, session: DemoSession): void {
  document.body.dataset['screen'] = 'app';
  shell = mountAppShell(root, vault, session, {
    onSignedOut: () => signedOut(session),
    requestSync: () => void worker.then((w) => w?.requestSync()).catch(() => undefined),
  });
}

function showLocked(vault: Vault, session: DemoSession, reason: LockReason): void {
  shell?.dispose();
  shell = undefined;
  document.body.dataset['screen'] = 'locked';
  mountLockScreen(root, vault, session, reason, {
    onUnlocked: () => showApp(vault, session),
    onErased: () => signedOut(session),
  });
}

/** After sign-out (or erasing a locked vault): nothing of the user stays in this browser. */
function signedOut(session: DemoSession): void {
  shell?.dispose();
  shell = undefined;
  delete window.vault;
  clearVaultSettings(session.user);
  clearSession();
  showSignIn();
}

function showFatal(error: unknown): void {
  const name = (error as { name?: string }).name;
  const message =
    name === 'KeyLostError'
      ? 'The keys of this vault are gone, so its data cannot be decrypted. The encrypted data was left untouched.'
      : 'The vault could not be opened in this browser.';
  const back = h('button', { type: 'button', class: 'btn', onClick: () => {
      clearSession();
      showSignIn();
    },
  }, 'Back to sign-in');
  replaceChildren(
    root,
    h('main', { class: 'fatal', id: 'app-main' }, h('section', { class: 'card', role: 'alert' }, h('h1', { class: 'card-title' }, 'Cannot open the vault'), h('p', {}, message), h('p', { class: 'muted' }, `Error: ${name ?? 'unknown'}`), back)),
  );
}

start();
