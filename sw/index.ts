// 'offline-vault/sw': the app's service worker (installOfflineVault) and its page-side registration
// (registerOfflineVaultWorker). workbox-* is imported only here.
export { installOfflineVault } from './install-offline-vault.js';
export type { InstallOfflineVaultOptions } from './install-offline-vault.js';
export { registerOfflineVaultWorker } from './register-offline-vault-worker.js';
export type { OfflineVaultWorker, RegisterWorkerOptions, WorkerUpdate } from './register-offline-vault-worker.js';
export { SYNC_TAG, SYNC_MESSAGE } from './messages.js';
export { parseRange } from './parse-range.js';
export type { RangeDecision } from './parse-range.js';
export { DEFAULT_FILES_PREFIX } from '../src/files/index.js';
