// Registers the demo's service worker (demo-dist/sw.js). main.ts calls this once at start:
//   const worker = await registerDemoWorker({ onSync: () => vault.sync(), onUpdate: (u) => showUpdateBanner(u) });
// and after local writes made offline: `void worker?.requestSync()`.
import { registerOfflineVaultWorker, type OfflineVaultWorker, type RegisterWorkerOptions } from 'offline-vault/sw';

/** Registers /sw.js (scope /) unless the browser has no service workers; resolves undefined then. */
export async function registerDemoWorker(options: Pick<RegisterWorkerOptions, 'onSync' | 'onUpdate'> = {}): Promise<OfflineVaultWorker | undefined> {
  if (!('serviceWorker' in navigator)) return undefined;
  return registerOfflineVaultWorker('/sw.js', { scope: '/', ...options });
}
