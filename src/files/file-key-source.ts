import type { Dexie } from 'dexie';
import type { FileKeys } from '../crypto/index.js';
import { ensureFileKey, loadFileKeys } from './file-keys.js';

/**
 * Where a file store (or a service worker's reader) gets its file keys. `load` serves reads,
 * `ensure` serves writes (the keys with a primary, possibly created). A source that caches
 * implements `reload`, called after a key miss (another tab may have added a generation).
 * A locked vault's source throws LockedError 'locked'.
 */
export interface FileKeySource {
  load(): Promise<FileKeys>;
  ensure(): Promise<FileKeys>;
  /** Drops cached keys: the next `load` fetches them again. */
  reload?(): void;
}

/**
 * The default source: keys read from the vault's own `_meta` and `_keyring` (device level).
 * Checklist:
 * - `load` is cached (a handful of rows per read would add up), a failed load is not;
 * - `ensure` always reads afresh, so a write uses the newest primary even when another tab rotated
 *   since; its result also refreshes the read cache;
 * - wrapped rows are skipped; at the passphrase / passkey levels nothing is created and a missing
 *   key is LockedError (see loadFileKeys / ensureFileKey).
 */
export function keyringFileKeySource(db: Dexie): FileKeySource {
  let cached: Promise<FileKeys> | undefined;
  return {
    load() {
      if (cached === undefined) {
        const loading = loadFileKeys(db);
        cached = loading;
        loading.catch(() => {
          if (cached === loading) cached = undefined;
        });
      }
      return cached;
    },
    async ensure() {
      const keys = await ensureFileKey(db);
      cached = Promise.resolve(keys);
      return keys;
    },
    reload() {
      cached = undefined;
    },
  };
}
