import type { WorkerUpdate } from 'offline-vault/sw';
import { h } from './dom.js';

/** Shows "A new version is available — Reload" once a new service worker waits; Reload applies it. */
export function showUpdateBanner(update: WorkerUpdate): void {
  if (document.getElementById('update-banner') !== null) return;
  const reload = h('button', { type: 'button', class: 'btn btn-small btn-on-dark', onClick: () => {
      reload.disabled = true;
      update.apply();
    },
  }, 'Reload');
  const later = h('button', { type: 'button', class: 'btn btn-small btn-ghost btn-on-dark', 'aria-label': 'Dismiss', onClick: () => banner.remove() }, 'Later');
  const banner = h('div', { class: 'update-banner', id: 'update-banner', role: 'status' }, h('span', {}, 'A new version is available —'), reload, later);
  document.body.append(banner);
}
