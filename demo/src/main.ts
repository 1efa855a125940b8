import { openVault, type Vault } from 'offline-vault';
import { mountAppShell, type AppShell } from './app-shell.js';
import { demoApp } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { clearSession, loadSession, SYNC_URL, vaultName, type DemoSession } from './session.js';
import { mountSignIn } from './sign-in-view.js';
import { registerDemoWorker } from './register-sw.js';
import { showUpdateBanner } from './update-banner.js';

declare global {
  interface Window {
    /** The signed-in user's vault, for trying the API in the browser console (and for the e2e tests). */
    vault?: Vault;
  }
}

const root = document.getElementById('root')!;
/** The signed-in app, if any: the service worker's sync requests go to its sync bar. */
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

/** One vault (one encrypted IndexedDB database) per user; its sync goes to the same origin. */
async function openApp(session: DemoSession): Promise<void> {
  let vault: Vault;
  try {
    vault = await openVault({ name: vaultName(session.user), app: demoApp, sync: { url: SYNC_URL, token: session.token } });
  } catch (error) {
    showFatal(error);
    return;
  }
  document.body.dataset['screen'] = 'app';
  window.vault = vault;
  console.info("Field Sales: try the vault in this console, e.g. await vault.query('Sales.Order', \"[Status = 'Open']\")");
  shell = mountAppShell(root, vault, session, {
    onSignedOut() {
      shell = undefined;
      delete window.vault;
      clearSession();
      showSignIn();
    },
    requestSync: () => void worker.then((w) => w?.requestSync()).catch(() => undefined),
  });
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
