import { databaseName } from 'offline-vault';
import { DEMO_USERS, USER_PROFILES } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { signIn, vaultName, type DemoSession } from './session.js';
import { saveVaultSettings } from './vault-settings.js';

/** The sign-in screen: pick one of the demo server's seeded users. */
export function mountSignIn(root: HTMLElement, onSignedIn: (session: DemoSession) => void): void {
  const status = h('p', { class: 'signin-status', role: 'alert', id: 'signin-status' });
  const plaintext = h('input', { type: 'checkbox', id: 'start-plaintext', 'aria-describedby': 'start-plaintext-hint' });
  const option = h(
    'div',
    { class: 'field field-check signin-option' },
    plaintext,
    h('label', { for: 'start-plaintext' }, 'Start without database encryption'),
    h(
      'p',
      { class: 'field-hint', id: 'start-plaintext-hint' },
      'Demo setting: a new vault stores records and photos as plaintext until you turn encryption on in the Security tab, to watch the migration.',
    ),
  );
  const cards = Object.entries(DEMO_USERS).map(([user, roles]) => {
    const profile = USER_PROFILES[user] ?? { name: user, title: roles.join(', '), sees: '' };
    const onDevice = h('span', { class: 'user-device', hidden: true }, 'Data on this device');
    const button = h(
      'button',
      { type: 'button', class: 'user-card', 'data-user': user, 'aria-describedby': `user-${user}-sees`, onClick: () => void choose(user, button) },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, profile.name.charAt(0)),
      h(
        'span',
        { class: 'user-text' },
        h('span', { class: 'user-name' }, profile.name, h('span', { class: 'user-login' }, ` · ${user}`)),
        h('span', { class: 'user-title' }, `${profile.title} (role ${roles.join(', ')})`),
        h('span', { class: 'user-sees', id: `user-${user}-sees` }, profile.sees),
        onDevice,
      ),
    );
    return { user, button, onDevice };
  });

  replaceChildren(
    root,
    h(
      'main',
      { class: 'signin', id: 'app-main' },
      h(
        'section',
        { class: 'signin-card', 'aria-labelledby': 'signin-title' },
        h(
          'div',
          { class: 'signin-brand' },
          brandMark(),
          h('div', {}, h('p', { class: 'brand-name' }, 'Field Sales'), h('p', { class: 'brand-sub' }, 'offline-vault demo')),
        ),
        h('h1', { id: 'signin-title' }, 'Sign in'),
        h(
          'p',
          { class: 'signin-lede' },
          'Choose a demo user. The sync server decides what each one may see: the data on this device is exactly that, encrypted at rest.',
        ),
        option,
        h('div', { class: 'user-cards', role: 'group', 'aria-label': 'Demo users' }, ...cards.map((c) => c.button)),
        status,
        h('p', { class: 'signin-foot' }, 'Demo sign-in: no password; the server issues a signed token for the chosen user.'),
      ),
    ),
  );

  void markVaultsOnDevice();

  async function markVaultsOnDevice(): Promise<void> {
    const databases = (await indexedDB.databases?.().catch(() => [])) ?? [];
    const names = new Set(databases.map((d) => d.name));
    for (const card of cards) card.onDevice.hidden = !names.has(databaseName(vaultName(card.user)));
  }

  async function choose(user: string, button: HTMLButtonElement): Promise<void> {
    for (const card of cards) card.button.disabled = true;
    button.classList.add('is-busy');
    status.textContent = '';
    try {
      const session = await signIn(user);
      saveVaultSettings(user, { encryptDatabase: !plaintext.checked });
      onSignedIn(session);
    } catch {
      status.textContent = navigator.onLine
        ? 'The sync server did not answer. Is `npm start` still running?'
        : 'You are offline. Signing in needs the server once; after that the app works offline.';
      for (const card of cards) card.button.disabled = false;
      button.classList.remove('is-busy');
    }
  }
}

/** The app's padlock mark. */
export function brandMark(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'brand-mark');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = '<rect x="4" y="10" width="16" height="11" rx="2.5" /><path d="M8 10V7a4 4 0 0 1 8 0v3" />';
  return svg;
}
