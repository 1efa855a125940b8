import type Dexie from 'dexie';
import { StorageError } from '../core/errors.js';
import type { KeyRow, SlotRow } from './keyring-rows.js';
import type { VaultMeta } from './keyring-store.js';
import { KEYRING_STORE, META_STORE } from './vault-database.js';

/**
 * Writes a keyring change (rows to put, rows to delete, the new meta row) in one readwrite
 * transaction that first checks the stored meta is still the one the change was computed from
 * (same epoch): two tabs never install competing generations; the loser gets `keys-changed`.
 */
export async function commitKeyring(
  db: Dexie,
  vault: string,
  from: VaultMeta,
  meta: VaultMeta,
  put: readonly (KeyRow | SlotRow)[],
  remove: readonly string[] = [],
): Promise<void> {
  await db.transaction('rw', [META_STORE, KEYRING_STORE], async () => {
    const now = (await db.table(META_STORE).get('vault')) as VaultMeta | undefined;
    if (now === undefined || (now.epoch ?? 0) !== (from.epoch ?? 0)) {
      throw new StorageError('keys-changed', 'Another tab changed the vault keys meanwhile; try again', { vault });
    }
    if (put.length > 0) await db.table(KEYRING_STORE).bulkPut([...put]);
    if (remove.length > 0) await db.table(KEYRING_STORE).bulkDelete([...remove]);
    await db.table(META_STORE).put(meta);
  });
}
