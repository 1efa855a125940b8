import type { Dexie } from 'dexie';
import { isVaultError, LockedError, StorageError } from '../src/core/errors.js';
import type { FileKeys } from '../src/crypto/index.js';
import { keyringFileKeySource, type FileKeySource } from '../src/files/index.js';
import { META_STORE } from '../src/store/vault-database.js';

/**
 * The service worker's file keys of one vault: the vault's own `_keyring` at the device level;
 * at the passphrase / passkey levels (keyring LockedError) the keys an unlocked page sends
 * (`askPages`, given the database's dbId). Checklist:
 * - the page's keys are kept in this worker's memory only, until `reload` (a key miss, or the
 *   page's forget message) or the worker stops; then it asks again;
 * - one question at a time: concurrent loads share it; a failed or locked answer is not kept;
 * - no page with keys: LockedError 'locked' (the file route answers 423);
 * - read-only: `ensure` never creates a key.
 */
export function createWorkerFileKeySource(db: Dexie, askPages: (dbId: Uint8Array) => Promise<FileKeys | undefined>): FileKeySource {
  const local = keyringFileKeySource(db);
  let fromPages: Promise<FileKeys> | undefined;
  const ask = async (): Promise<FileKeys> => {
    const meta = (await db.table(META_STORE).get('vault')) as { dbId?: Uint8Array; level?: string } | undefined;
    if (meta?.dbId === undefined) throw new StorageError('not-initialized', 'The vault database has no meta row', { store: META_STORE });
    const keys = await askPages(meta.dbId);
    if (keys === undefined) throw new LockedError('locked', 'No open page has the vault unlocked', { level: meta.level, missing: 'file' });
    return keys;
  };
  const load = async (): Promise<FileKeys> => {
    if (fromPages !== undefined) return fromPages;
    try {
      return await local.load();
    } catch (error) {
      if (!isVaultError(error) || error.code !== 'locked') throw error;
    }
    // Another load may have started asking while the keyring was read.
    if (fromPages === undefined) {
      const asking = ask();
      fromPages = asking;
      asking.catch(() => {
        if (fromPages === asking) fromPages = undefined;
      });
    }
    return fromPages;
  };
  return {
    load,
    ensure: load,
    reload() {
      local.reload?.();
      fromPages = undefined;
    },
  };
}
