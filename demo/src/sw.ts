// The demo PWA's service worker (built to demo-dist/sw.js; the build injects the precache manifest).
import { installOfflineVault, type InstallOfflineVaultOptions } from 'offline-vault/sw';

declare const self: { __WB_MANIFEST: InstallOfflineVaultOptions['precache'] };

installOfflineVault({
  precache: self.__WB_MANIFEST,
  filesPrefix: '/vault-files/',
  syncPath: '/sync/',
  navigationFallback: '/index.html',
});
