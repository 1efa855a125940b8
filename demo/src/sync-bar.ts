import { isVaultError, type SyncProgress, type SyncResult, type Vault } from 'offline-vault';
import { NOUNS } from './demo-app.js';
import { h } from './dom.js';

/** The sync strip under the header: connection, unsynced changes, Sync button, progress, outcome. */
export interface SyncBar {
  readonly element: HTMLElement;
  /** Runs a sync (or joins the running one) and shows its progress and outcome. */
  sync(): Promise<void>;
  /** Re-reads the pending-changes counter; resolves the count. */
  refreshPending(): Promise<number>;
}

const PHASES: Record<SyncProgress['phase'], string> = { upload: 'Sending changes', download: 'Receiving', apply: 'Saving' };

/** Builds the sync bar of `vault`; `onSynced` runs after every sync that reached the server. */
export function createSyncBar(vault: Vault, onSynced: (result: SyncResult) => void, signal: AbortSignal): SyncBar {
  const connection = h('span', { class: 'conn', id: 'connection', role: 'status' });
  const pending = h('span', { class: 'pending', id: 'pending-count', 'aria-live': 'polite' });
  const phase = h('span', { class: 'sync-phase', id: 'sync-phase' });
  const bar = h('progress', { id: 'sync-progress', max: 1, value: 0, 'aria-labelledby': 'sync-phase' });
  const progress = h('div', { class: 'sync-progress', hidden: true }, phase, bar);
  const outcome = h('p', { class: 'sync-outcome', id: 'sync-outcome', role: 'status' });
  const button = h('button', { type: 'button', class: 'btn btn-primary sync-button', id: 'sync-button', onClick: () => void sync() }, syncIcon(), 'Sync now');
  const element = h(
    'div',
    { class: 'syncbar', role: 'region', 'aria-label': 'Synchronization' },
    h('div', { class: 'syncbar-state' }, connection, pending),
    h('div', { class: 'syncbar-main' }, progress, outcome),
    button,
  );

  const showConnection = (): void => {
    const online = navigator.onLine;
    connection.className = `conn ${online ? 'is-online' : 'is-offline'}`;
    connection.textContent = online ? 'Online' : 'Offline';
    connection.title = online ? 'The browser reports a network connection.' : 'No network: everything keeps working on this device; changes wait for the next sync.';
  };
  showConnection();
  addEventListener(
    'online',
    () => {
      showConnection();
      void sync(); // back online: send what piled up
    },
    { signal },
  );
  addEventListener('offline', showConnection, { signal });

  async function refreshPending(): Promise<number> {
    const n = await vault.pendingChanges().catch(() => 0);
    pending.textContent = n === 0 ? 'All changes synced' : `${n} unsynced ${n === 1 ? 'change' : 'changes'}`;
    pending.classList.toggle('has-pending', n > 0);
    return n;
  }

  function showProgress(p: SyncProgress): void {
    const what = p.entity === undefined ? '' : ` ${NOUNS[p.entity]?.[1] ?? p.entity}`;
    phase.textContent = p.total > 0 ? `${PHASES[p.phase]}${what} · ${p.done} of ${p.total}` : `${PHASES[p.phase]}${what}…`;
    bar.max = Math.max(1, p.total);
    bar.value = Math.min(p.done, bar.max);
    progress.dataset['phase'] = p.phase;
  }

  let running: Promise<void> | null = null;
  function sync(): Promise<void> {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  }

  async function run(): Promise<void> {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    progress.hidden = false;
    outcome.textContent = '';
    outcome.className = 'sync-outcome';
    phase.textContent = 'Connecting…';
    bar.removeAttribute('value'); // indeterminate until the first progress event
    try {
      const result = await vault.sync({ onProgress: showProgress });
      outcome.textContent = describe(result);
      outcome.classList.add(result.rejected > 0 ? 'is-warn' : 'is-ok');
      onSynced(result);
    } catch (error) {
      const n = await vault.pendingChanges().catch(() => 0);
      const kept = n > 0 ? ` ${n} unsynced ${n === 1 ? 'change stays' : 'changes stay'} on this device.` : '';
      outcome.textContent = `${failure(error)}${kept}`;
      outcome.classList.add('is-error');
    } finally {
      progress.hidden = true;
      button.disabled = false;
      button.removeAttribute('aria-busy');
      await refreshPending();
    }
  }

  return { element, sync, refreshPending };
}

function describe(result: SyncResult): string {
  const parts = [`${result.uploaded} sent`, `${result.downloaded} received`];
  if (result.purged > 0) parts.push(`${result.purged} removed`);
  if (result.rejected > 0) parts.push(`${result.rejected} rejected`);
  const time = new Date().toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' });
  return `Synced at ${time} · ${parts.join(' · ')}`;
}

/** A sentence for a failed sync: what happened, never a token or a value. */
function failure(error: unknown): string {
  if (!navigator.onLine) return 'Offline: sync when the connection is back.';
  if (!isVaultError(error)) return 'Sync failed.';
  switch (error.code) {
    case 'network':
      return 'Sync failed: the server cannot be reached.';
    case 'unauthenticated':
      return 'Sync failed: the server no longer accepts your sign-in. Sign out and in again.';
    case 'user-mismatch':
      return 'Sync refused: this device’s data belongs to another user.';
    default:
      return `Sync failed (${error.code}).`;
  }
}

function syncIcon(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = '<path d="M20 11a8 8 0 0 0-14.6-4.5M4 4v4h4M4 13a8 8 0 0 0 14.6 4.5M20 20v-4h-4" />';
  return svg;
}

