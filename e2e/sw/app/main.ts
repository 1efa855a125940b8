// Test page for e2e/sw: opens an encrypted vault, registers the offline-vault service worker and
// shows the photos through their file URLs. The spec drives it through `window.swApp`.
import { openVault, type Vault } from 'offline-vault';
import { defineApp } from 'offline-vault/app';
import { registerOfflineVaultWorker, type OfflineVaultWorker, type WorkerUpdate } from 'offline-vault/sw';
import { makeBigFile, makeBitmap } from './test-data.js';

export const galleryApp = defineApp({
  entities: {
    'Gallery.Photo': { file: 'image', attributes: { Caption: 'string' } },
    'Gallery.Data': { file: 'file', attributes: { Name: 'string' } },
  },
});

/** What the spec finds on `window.swApp`. */
export interface SwTestApp {
  vault: Vault;
  /** Registration runs beside opening the vault: the page works before (and without) the worker. */
  worker: Promise<OfflineVaultWorker>;
  state: { syncCalls: number; updates: WorkerUpdate[] };
  render(): Promise<void>;
  makeBitmap: typeof makeBitmap;
  makeBigFile: typeof makeBigFile;
  ready: true;
}

declare global {
  interface Window {
    swApp: SwTestApp;
  }
}

const state: SwTestApp['state'] = { syncCalls: 0, updates: [] };
const worker = registerOfflineVaultWorker('/sw-test/sw.js', {
  scope: '/sw-test/',
  onUpdate: (update) => state.updates.push(update),
  onSync: async () => {
    state.syncCalls++;
  },
});
const vault = await openVault({ name: 'sw-test', app: galleryApp, encryption: { database: true, files: true } });

async function render(): Promise<void> {
  document.querySelector('#net')!.textContent = navigator.onLine ? 'online' : 'offline';
  document.querySelector('#controller')!.textContent = navigator.serviceWorker.controller ? 'served by the service worker' : '';
  const list = document.querySelector('#photos')!;
  list.replaceChildren();
  for (const photo of await vault.table('Gallery.Photo').toArray()) {
    const item = document.createElement('li');
    if (await vault.files.has(photo.id)) {
      const img = document.createElement('img');
      img.alt = String(photo['Caption']);
      img.src = vault.files.url(photo.id);
      item.append(img);
    }
    const caption = document.createElement('div');
    caption.className = 'caption';
    caption.textContent = String(photo['Caption']);
    item.append(caption);
    list.append(item);
  }
}

await render();
window.swApp = { vault, worker, state, render, makeBitmap, makeBigFile, ready: true };
