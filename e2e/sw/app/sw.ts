// The test page's service worker: what an app writes (the build injects the precache manifest).
import { installOfflineVault, type InstallOfflineVaultOptions } from 'offline-vault/sw';

declare const self: { __WB_MANIFEST: InstallOfflineVaultOptions['precache'] };

installOfflineVault({
  precache: self.__WB_MANIFEST,
  filesPrefix: '/vault-files/',
  syncPath: '/sync/',
  navigationFallback: '/sw-test/index.html',
});
