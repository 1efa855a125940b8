import type { PurgedEvent, Vault } from 'offline-vault';
import { countOf } from './demo-app.js';
import { h } from './dom.js';

const WHY: Record<PurgedEvent['reason'], string> = {
  'access-lost': 'you no longer have access to them',
  filter: 'they no longer match what this device keeps (for example, closed orders)',
  deleted: 'they were deleted on the server',
  cleared: 'the server cleared them from devices',
};

/**
 * Notices for objects the last sync removed from this device (`vault.on('purged')`). Removed
 * objects are gone from the device only: nothing is deleted on the server.
 */
export function createPurgeNotices(vault: Vault, signal: AbortSignal): HTMLElement {
  const region = h('div', { class: 'notices', id: 'purge-notices', 'aria-live': 'polite' });
  const off = vault.on('purged', (event) => {
    const title = `${capitalize(countOf(event.entity, event.ids.length))} removed from this device`;
    const notice = h(
      'div',
      { class: `notice notice-${event.reason}`, role: 'status', 'data-entity': event.entity, 'data-reason': event.reason },
      h('div', { class: 'notice-text' }, h('p', { class: 'notice-title' }, title), h('p', {}, `They were removed because ${WHY[event.reason]}. Nothing was deleted on the server.`)),
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': `Dismiss: ${title}`, onClick: () => notice.remove() }, 'Dismiss'),
    );
    region.prepend(notice);
  });
  signal.addEventListener('abort', off);
  return region;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
