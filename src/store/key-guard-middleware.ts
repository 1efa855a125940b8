import type { DBCore, DBCoreMutateRequest, DBCoreTransaction, Middleware } from 'dexie';
import { StorageError } from '../core/errors.js';
import { readU32 } from '../crypto/bytes.js';
import type { VaultMeta } from './keyring-store.js';
import { META_STORE } from './vault-database.js';

/**
 * Refuses, inside the write transaction itself, rows sealed under a key generation the vault no
 * longer keeps (or plaintext once a migration ended). A row is sealed before its transaction
 * opens; if a re-encryption finished in between (in this tab or another) and deleted that key, the
 * row would be unreadable forever. Every readwrite transaction therefore also covers `_meta`, and
 * each put/add is checked against the meta row read in that transaction: IndexedDB serializes it
 * with the re-encryption's final transaction, so either the row lands first (and the final check
 * sees it and walks again) or the write sees the new meta and fails with `stale-keys` (the caller
 * seals again with the current keys). Nothing is written either way until it is readable.
 */
export function keyGuardMiddleware(sealedStores: ReadonlySet<string>): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'offline-vault-key-guard',
    create(down) {
      const metaOf = new WeakMap<DBCoreTransaction, Promise<VaultMeta | undefined>>();
      const readMeta = (trans: DBCoreTransaction) => {
        let meta = metaOf.get(trans);
        if (meta === undefined) metaOf.set(trans, (meta = down.table(META_STORE).get({ trans, key: 'vault' }) as Promise<VaultMeta | undefined>));
        return meta;
      };
      return {
        ...down,
        transaction(stores, mode, options) {
          const scope = mode === 'readwrite' && !stores.includes(META_STORE) ? [...stores, META_STORE] : stores;
          return down.transaction(scope, mode, options);
        },
        table(name) {
          const table = down.table(name);
          if (!sealedStores.has(name) && name !== META_STORE) return table;
          return {
            ...table,
            async mutate(req: DBCoreMutateRequest) {
              if (req.type === 'put' || req.type === 'add') {
                const rows = name === META_STORE ? req.values.filter((v) => (v as { name?: unknown })?.name === 'user') : req.values;
                if (rows.length > 0) checkRows(name, rows, await readMeta(req.trans));
              }
              return table.mutate(req);
            },
          };
        },
      };
    },
  };
}

function checkRows(store: string, rows: readonly unknown[], meta: VaultMeta | undefined): void {
  if (meta === undefined) return; // first open: the meta row and the keys are being created
  const retiring = new Set(meta.rekey?.retire ?? []);
  for (const value of rows) {
    const e = (value as { e?: unknown } | null)?.e;
    if (e instanceof Uint8Array && e.length >= 6) {
      const keyId = readU32(e, 2);
      // Vaults from before generations were recorded have no `primary`: nothing to compare with.
      if (meta.primary === undefined || keyId === meta.primary || retiring.has(keyId)) continue;
      throw staleKeys(store);
    }
    if (meta.encrypted && meta.rekey?.kind !== 'migrate') throw staleKeys(store);
  }
}

function staleKeys(store: string): StorageError {
  return new StorageError('stale-keys', 'The vault keys changed while this write was being sealed; seal it again', { store });
}
