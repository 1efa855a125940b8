/** Background Sync tag under which a page asks for an upload once the device is online. */
export const SYNC_TAG = 'offline-vault-sync';

/** Worker -> page: "run vault.sync() now"; the page replies `{ ok }` on the transferred port. */
export const SYNC_MESSAGE = 'offline-vault:sync';

/** Page -> worker (sent by workbox-window's messageSkipWaiting): activate the waiting worker. */
export const SKIP_WAITING_MESSAGE = 'SKIP_WAITING';

/** The page's answer to SYNC_MESSAGE. */
export interface SyncReply {
  ok: boolean;
}

/** Worker -> page and page -> worker messages of the file keys (passphrase / passkey levels). */
export { FILE_KEYS_MESSAGE, FORGET_FILE_KEYS_MESSAGE } from '../src/files/index.js';
export type { FileKeysRequest, FileKeysReply } from '../src/files/index.js';
