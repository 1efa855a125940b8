import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { KeyLostError, StorageError } from '../core/errors.js';
import { createDbId, createFileKey, createIndexKey, createRecordKey, type KeySet, type RecordKey } from '../crypto/index.js';
import { indexField, KEYRING_STORE, META_STORE, OUTBOX_STORE } from './vault-database.js';

/** The `_meta` row describing a vault database. */
export interface VaultMeta {
  name: 'vault';
  dbId: Uint8Array;
  encrypted: boolean;
  created: string;
  /** The browser refused to store CryptoKeys (private modes): keys live in memory only. */
  ephemeral?: boolean;
}

/** How the vault's keys are protected: stored non-extractable keys, or memory-only keys. */
export type SecurityLevel = 'device' | 'ephemeral';

function isDataCloneError(error: unknown): boolean {
  const e = error as { name?: string; inner?: { name?: string } } | null;
  return e?.name === 'DataCloneError' || e?.inner?.name === 'DataCloneError';
}

async function freshKeyRows(): Promise<KeyRow[]> {
  const [record, file] = await Promise.all([createRecordKey(1), createFileKey(1)]);
  return [
    { name: `${RECORD_PREFIX}${record.keyId}`, key: record.key },
    { name: `${FILE_PREFIX}${file.keyId}`, key: file.key },
  ];
}

/**
 * Ephemeral vault (the browser cannot store CryptoKeys): keys are created in memory on every
 * open, and what an earlier page stored under its lost keys is deleted, since nothing can read it.
 * Never a fallback to plaintext.
 */
async function openEphemeral(db: Dexie, app: AppDefinition, meta: VaultMeta): Promise<{ meta: VaultMeta; keys: KeySet; level: SecurityLevel }> {
  const stores = db.tables.map((t) => t.name).filter((n) => n !== META_STORE);
  await db.transaction('rw', stores, async () => {
    for (const name of stores) await db.table(name).clear();
  });
  const rows = await freshKeyRows();
  const index = new Map<string, CryptoKey>();
  for (const entity of app.entities.values()) {
    if (!entity.persistent) continue;
    for (const { attribute } of entity.indexes) index.set(`${entity.name}/${attribute}`, await createIndexKey());
  }
  const record = rows[0]!;
  const file = rows[1]!;
  const primary: RecordKey = { keyId: 1, key: record.key };
  return { meta, keys: { dbId: meta.dbId, record: { primary, all: new Map([[1, record.key]]) }, index, file: { keyId: 1, key: file.key } }, level: 'ephemeral' };
}

interface KeyRow {
  name: string;
  key: CryptoKey;
}

const RECORD_PREFIX = 'record:';
const FILE_PREFIX = 'file:';
const INDEX_PREFIX = 'index:';

async function storesHoldingData(db: Dexie, app: AppDefinition): Promise<string[]> {
  const names = [OUTBOX_STORE, ...[...app.entities.values()].filter((e) => e.persistent).map((e) => e.name)];
  const counts = await Promise.all(names.map((n) => db.table(n).count()));
  return names.filter((_, i) => counts[i]! > 0);
}

/** Number of rows of an entity that carry a blind index for `attribute`. */
async function indexedRowCount(db: Dexie, entity: string, attribute: string): Promise<number> {
  return db.table(entity).orderBy(indexField(attribute)).count();
}

function recordKeysOf(rows: readonly KeyRow[]): Map<number, CryptoKey> {
  const all = new Map<number, CryptoKey>();
  for (const row of rows) if (row.name.startsWith(RECORD_PREFIX)) all.set(Number(row.name.slice(RECORD_PREFIX.length)), row.key);
  return all;
}

/**
 * Loads the vault's meta row and, for an encrypted vault, its key set; creates both on first open.
 * Invariants:
 * - keys are generated non-extractable and written only when no meta row exists yet, in one
 *   transaction that re-checks for a meta row written meanwhile by another tab;
 * - a database that holds data (or says it was encrypted) but has no keys raises KeyLostError and
 *   is left untouched: new keys are never created over old ciphertext;
 * - a missing blind-index key is created only when no row carries that index yet.
 */
export async function loadOrCreateKeys(
  db: Dexie,
  app: AppDefinition,
  wantEncrypted: boolean,
): Promise<{ meta: VaultMeta; keys: KeySet | undefined; level: SecurityLevel }> {
  let meta = (await db.table(META_STORE).get('vault')) as VaultMeta | undefined;
  let rows = (await db.table(KEYRING_STORE).toArray()) as KeyRow[];

  if (meta === undefined) {
    const withData = await storesHoldingData(db, app);
    if (withData.length > 0 || rows.length > 0) {
      throw new KeyLostError('key-lost', 'The vault database holds data but its key store is gone', { stores: withData });
    }
    const fresh: VaultMeta = { name: 'vault', dbId: createDbId(), encrypted: wantEncrypted, created: new Date().toISOString() };
    const freshRows: KeyRow[] = wantEncrypted ? await freshKeyRows() : [];
    try {
      await db.transaction('rw', [META_STORE, KEYRING_STORE], async () => {
        if ((await db.table(META_STORE).get('vault')) !== undefined) return; // another tab won the race
        await db.table(META_STORE).put(fresh);
        await db.table(KEYRING_STORE).bulkPut(freshRows);
      });
    } catch (error) {
      if (!isDataCloneError(error)) throw error;
      // Private modes refuse to store CryptoKeys: memory-only keys, never plaintext.
      await db.table(META_STORE).put({ ...fresh, ephemeral: true });
    }
    meta = (await db.table(META_STORE).get('vault')) as VaultMeta;
    rows = (await db.table(KEYRING_STORE).toArray()) as KeyRow[];
  }

  if (meta.encrypted !== wantEncrypted) {
    throw new StorageError(
      'encryption-mode-mismatch',
      meta.encrypted
        ? 'This vault is encrypted; turning encryption off applies to new vaults only'
        : 'This vault stores plaintext; enable encryption through migration, not by reopening',
      { encrypted: meta.encrypted },
    );
  }
  if (!meta.encrypted) return { meta, keys: undefined, level: 'device' };
  if (meta.ephemeral === true) return openEphemeral(db, app, meta);

  const records = recordKeysOf(rows);
  const fileRow = rows.find((r) => r.name.startsWith(FILE_PREFIX));
  if (records.size === 0 || fileRow === undefined) {
    throw new KeyLostError('key-lost', 'The vault is encrypted but its keys are gone', { missing: records.size === 0 ? 'record' : 'file' });
  }
  const index = new Map<string, CryptoKey>();
  const missing: string[] = [];
  for (const entity of app.entities.values()) {
    if (!entity.persistent) continue;
    for (const { attribute } of entity.indexes) {
      const name = `${entity.name}/${attribute}`;
      const row = rows.find((r) => r.name === INDEX_PREFIX + name);
      if (row !== undefined) index.set(name, row.key);
      else if ((await indexedRowCount(db, entity.name, attribute)) > 0) {
        throw new KeyLostError('key-lost', `The blind-index key of ${name} is gone`, { entity: entity.name, attribute });
      } else missing.push(name);
    }
  }
  if (missing.length > 0) {
    const created = await Promise.all(missing.map(async (name) => ({ name: INDEX_PREFIX + name, key: await createIndexKey() })));
    await db.transaction('rw', [KEYRING_STORE], async () => {
      for (const row of created) {
        // Another tab may have created the same index key first: keep the one already stored.
        if ((await db.table(KEYRING_STORE).get(row.name)) === undefined) await db.table(KEYRING_STORE).put(row);
      }
    });
    for (const row of (await db.table(KEYRING_STORE).toArray()) as KeyRow[]) {
      if (row.name.startsWith(INDEX_PREFIX)) index.set(row.name.slice(INDEX_PREFIX.length), row.key);
    }
  }
  const primaryId = Math.max(...records.keys());
  const primary: RecordKey = { keyId: primaryId, key: records.get(primaryId)! };
  const fileId = Number(fileRow.name.slice(FILE_PREFIX.length));
  return {
    meta,
    keys: { dbId: meta.dbId, record: { primary, all: records }, index, file: { keyId: fileId, key: fileRow.key } },
    level: 'device',
  };
}
