import { UnsyncedChangesError, type Vault } from 'offline-vault';
import { CUSTOMER, demoApp, ORDER, PHOTO, USER_PROFILES } from './demo-app.js';
import { coalesce, h, replaceChildren } from './dom.js';
import { mountCustomersView } from './customers-view.js';
import { mountOrdersView } from './orders-view.js';
import { createPurgeNotices } from './purge-notices.js';
import { mountSecurityView } from './security-view.js';
import type { DemoSession } from './session.js';
import { brandMark } from './sign-in-view.js';
import { confirmDiscard } from './confirm-dialog.js';
import { createSyncBar } from './sync-bar.js';
import { mountSyncErrorsView } from './sync-errors-view.js';
import { wireTabs } from './tabs.js';
import { entityRights } from './user-rights.js';

const TABS = [
  { id: 'customers', label: 'Customers' },
  { id: 'orders', label: 'Orders' },
  { id: 'issues', label: 'Sync issues' }, // "Issues" on phones
  { id: 'security', label: 'Security' },
] as const;

/** What the app shell needs from the page around it. */
export interface AppShellHooks {
  /** Runs after sign-out wiped the vault. */
  onSignedOut(): void;
  /** Asks the service worker for an upload once the device is back online (after offline writes). */
  requestSync?(): void;
}

/** The mounted app shell. */
export interface AppShell {
  /** Runs a sync with the sync bar's progress (the service worker's Background Sync calls this). */
  sync(): Promise<void>;
  /** Unsubscribes everything the shell listens to (before it is taken down: lock, sign-out). */
  dispose(): void;
}

/** The signed-in app: header, sync bar, notices and the four tabs. */
export function mountAppShell(root: HTMLElement, vault: Vault, session: DemoSession, hooks: AppShellHooks): AppShell {
  const scope = new AbortController();
  const { signal } = scope;
  const profile = USER_PROFILES[session.user] ?? { name: session.user, title: session.roles.join(', '), sees: '' };
  const issueCount = h('span', { class: 'tab-count', hidden: true, id: 'issue-count' });
  const tabs = TABS.map((tab, i) =>
    h(
      'button',
      { role: 'tab', id: `tab-${tab.id}`, 'aria-controls': `panel-${tab.id}`, 'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1' },
      tab.id === 'issues' ? h('span', {}, h('span', { class: 'wide-only' }, 'Sync issues'), h('span', { class: 'narrow-only' }, 'Issues')) : tab.label,
      tab.id === 'issues' ? issueCount : null,
    ),
  );
  const panels = Object.fromEntries(TABS.map((tab, i) => [tab.id, h('div', { role: 'tabpanel', id: `panel-${tab.id}`, 'aria-labelledby': `tab-${tab.id}`, hidden: i !== 0 })]));
  const alertBox = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, id: 'app-alert' });
  const signOutButton = h('button', { type: 'button', class: 'btn btn-small btn-on-dark', id: 'sign-out', onClick: () => void signOut() }, 'Sign out');

  const errors = mountSyncErrorsView(panels['issues']!, vault, (n) => {
    issueCount.textContent = String(n);
    issueCount.hidden = n === 0;
    issueCount.setAttribute('aria-label', `${n} rejected`);
  });
  const security = mountSecurityView(panels['security']!, vault, { id: session.user, roles: session.roles }, signal);
  const syncBar = createSyncBar(vault, () => void errors.refresh(), signal);

  replaceChildren(
    root,
    h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, brandMark(), h('div', {}, h('p', { class: 'brand-name' }, 'Field Sales'), h('p', { class: 'brand-sub' }, 'offline-vault demo'))),
      h(
        'div',
        { class: 'who', id: 'signed-in-user', 'data-user': session.user },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, profile.name.charAt(0)),
        h('div', {}, h('p', { class: 'who-name' }, profile.name), h('p', { class: 'who-role' }, profile.title)),
      ),
      signOutButton,
    ),
    syncBar.element,
    h(
      'main',
      { class: 'layout', id: 'app-main' },
      alertBox,
      createPurgeNotices(vault, signal),
      h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Sections' }, ...tabs),
      ...Object.values(panels),
    ),
  );
  wireTabs(root.querySelector<HTMLElement>('[role="tablist"]')!);
  mountCustomersView(panels['customers']!, vault, entityRights(demoApp, CUSTOMER, session.roles), signal);
  mountOrdersView(panels['orders']!, vault, entityRights(demoApp, ORDER, session.roles), entityRights(demoApp, PHOTO, session.roles).create, signal);

  // Local writes and synced changes both move the counters and the raw view; changes made
  // offline ask the worker to sync as soon as the network is back.
  const refresh = coalesce(async () => {
    const pending = await syncBar.refreshPending();
    if (pending > 0 && !navigator.onLine) hooks.requestSync?.();
    if (!panels['security']!.hidden) await security.refresh();
  });
  for (const entity of [CUSTOMER, ORDER, PHOTO]) {
    const subscription = vault.live(entity).subscribe({ next: refresh });
    signal.addEventListener('abort', () => subscription.unsubscribe());
  }
  tabs[3]!.addEventListener('click', () => void security.refresh());
  void errors.refresh();
  if (navigator.onLine) void syncBar.sync();
  return { sync: syncBar.sync, dispose: () => scope.abort() };

  async function signOut(): Promise<void> {
    signOutButton.disabled = true;
    try {
      try {
        await vault.signOut();
      } catch (error) {
        if (!(error instanceof UnsyncedChangesError)) throw error;
        const count = Number(error.details['count'] ?? 0);
        if (!(await confirmDiscard(count))) return;
        await vault.signOut({ discardUnsynced: true });
      }
      hooks.onSignedOut();
    } catch (error) {
      // The vault is left as it was; say so rather than failing silently.
      alertBox.textContent = `Sign-out failed (${(error as Error).name}). Your data is still on this device.`;
      alertBox.hidden = false;
    } finally {
      signOutButton.disabled = false;
    }
  }
}
