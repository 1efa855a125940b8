import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { DEFAULT_FILES_PREFIX, FORGET_FILE_KEYS_MESSAGE, openVaultFileReader } from '../src/files/index.js';
import { askPagesForFileKeys } from './ask-pages-for-file-keys.js';
import { serveVaultFile } from './file-response.js';
import { SKIP_WAITING_MESSAGE } from './messages.js';
import { askPagesToSync } from './ask-pages-to-sync.js';
import { SYNC_TAG } from './messages.js';
import { createVaultReaders } from './vault-readers.js';
import { createWorkerFileKeySource } from './worker-file-key-source.js';
import { workerScope } from './worker-scope.js';

/** Options of `installOfflineVault`. */
export interface InstallOfflineVaultOptions {
  /** The precache manifest: pass `self.__WB_MANIFEST`, which the build replaces (workbox injectManifest). */
  precache: ReadonlyArray<PrecacheEntry | string>;
  /** Path prefix of file URLs; must match `openVault({ files: { urlPrefix } })`. @default '/vault-files/' */
  filesPrefix?: string;
  /** Path prefix of the sync server's routes on this origin (sync, auth, actions): never cached. @default '/sync/' */
  syncPath?: string;
  /** Precached page served for navigations the network cannot answer. @default '/index.html' */
  navigationFallback?: string;
  /** Take control of open pages as soon as the first worker activates. @default true */
  claimClients?: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Sets up an app's service worker for offline-vault (call once, at the top level of the worker):
 * - precached app shell (workbox-precaching, stale entries of older builds removed);
 * - `<filesPrefix><vault>/<id>` served by decrypting the file in the worker, keys read from the
 *   vault's IndexedDB (streaming, HTTP Range); at the passphrase / passkey levels the keys are
 *   asked from an open unlocked page and kept in memory (423 Locked when no page has them);
 * - requests under `syncPath` always go to the network (NetworkOnly), and nothing else is cached
 *   at runtime, so no sync, auth or action response (plaintext) lands in Cache Storage;
 * - navigations outside the precache go to the network and fall back to `navigationFallback`;
 * - Background Sync tag `offline-vault-sync` asks open pages to run `vault.sync()`;
 * - workbox-window's "skip waiting" message activates a waiting update.
 */
export function installOfflineVault(options: InstallOfflineVaultOptions): void {
  const scope = workerScope();
  const filesPrefix = options.filesPrefix ?? DEFAULT_FILES_PREFIX;
  const syncPath = options.syncPath ?? '/sync/';
  const fallback = options.navigationFallback ?? '/index.html';
  // Passphrase / passkey levels: the keys come from an unlocked page, kept in this worker's memory.
  const readers = createVaultReaders((vault) =>
    openVaultFileReader(vault, {}, { keySource: (db) => createWorkerFileKeySource(db, (dbId) => askPagesForFileKeys(scope, vault, dbId)) }),
  );

  // Routes match in registration order: the never-cached sync path and the file route come first.
  const networkOnly = async ({ request }: { request: Request }): Promise<Response> => fetch(request);
  for (const method of ['GET', 'HEAD'] as const) {
    registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(syncPath), networkOnly, method);
    registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(filesPrefix), ({ request }) => serveVaultFile(request, filesPrefix, readers), method);
  }
  precacheAndRoute([...options.precache]);
  cleanupOutdatedCaches();
  registerRoute(
    new NavigationRoute(
      async ({ request }) => {
        try {
          return await fetch(request);
        } catch (error) {
          const shell = await matchPrecache(fallback);
          if (shell === undefined) throw error;
          return shell;
        }
      },
      { denylist: [new RegExp(`^${escapeRegExp(syncPath)}`), new RegExp(`^${escapeRegExp(filesPrefix)}`)] },
    ),
  );

  scope.addEventListener('message', (event) => {
    const data = event.data as { type?: unknown; vault?: unknown } | null;
    if (data?.type === SKIP_WAITING_MESSAGE) event.waitUntil(scope.skipWaiting());
    if (data?.type === FORGET_FILE_KEYS_MESSAGE && typeof data.vault === 'string') readers.forgetKeys(data.vault);
  });
  if (options.claimClients !== false) {
    scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
  }
  scope.addEventListener('sync', (event) => {
    if (event.tag === SYNC_TAG) event.waitUntil(askPagesToSync(scope, event.lastChance));
  });
}
