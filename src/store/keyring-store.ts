import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { KeyLostError } from '../core/errors.js';
import { createDbId, createFileKey, createIndexKey, createRecordKey } from '../crypto/index.js';
import {
  addKey,
  deviceMaterial,
  emptyMaterial,
  keyName,
  parseKeyName,
  SLOT_PREFIX,
  type KeyMaterial,
  type KeyRow,
  type SlotRow,
} from './keyring-rows.js';
import { indexField, KEYRING_STORE, META_STORE, OUTBOX_STORE } from './vault-database.js';

/** The `_meta` row describing a vault database. */
export interface VaultMeta {
  name: 'vault';
  dbId: Uint8Array;
  encrypted: boolean;
  created: string;
  /** The browser refused to store CryptoKeys (private modes): keys live in memory only. */
  ephemeral?: boolean;
  /** How stored keys are protected; absent means 'device'. */
  level?: 'device' | 'passphrase' | 'passkey';
  /** The key generation new writes use; absent means the newest record key. */
  primary?: number;
  /** Bumped on every change of keys or level, so other tabs know to reload. */
  epoch?: number;
  /** A re-encryption in progress (migration, rotation, level change), resumed on the next open. */
  rekey?: RekeyState;
}

/** Persistent progress of a re-encryption: the store being walked and the last key done there. */
export interface RekeyState {
  kind: 'migrate' | 'rotate' | 'protect';
  /** Generations to move every row away from (plaintext rows always move). */
  retire: number[];
  /** File key generations to re-wrap away from. */
  retireFiles: number[];
  store: number;
  after?: IDBValidKey;
  done: number;
  total: number;
  started: string;
}

/**
 * How the vault's keys are protected: `device` (non-extractable keys stored in IndexedDB),
 * `passphrase` / `passkey` (keys stored only wrapped, unlocked into memory), `ephemeral`
 * (memory-only keys, the browser cannot store CryptoKeys), `none` (a plaintext vault).
 */
export type SecurityLevel = 'none' | 'device' | 'passphrase' | 'passkey' | 'ephemeral';

function isDataCloneError(error: unknown): boolean {
  const e = error as { name?: string; inner?: { name?: string } } | null;
  return e?.name === 'DataCloneError' || e?.inner?.name === 'DataCloneError';
}

/** What `loadOrCreateKeys` found: the meta row, the key rows, and the material when it is stored as is. */
export interface LoadedKeyring {
  meta: VaultMeta;
  rows: KeyRow[];
  slots: SlotRow[];
  /** Device-level (or ephemeral) keys; undefined for a plaintext vault or a wrapped level (unlock first). */
  material?: KeyMaterial;
}

/** Device-level keys of a new generation: record, file (optional) and one index key per declared index. */
export async function freshDeviceKeys(app: AppDefinition, gen: number, withFile: boolean): Promise<{ name: string; key: CryptoKey }[]> {
  const rows: { name: string; key: CryptoKey }[] = [{ name: keyName('record', gen), key: (await createRecordKey(gen)).key }];
  if (withFile) rows.push({ name: keyName('file', gen), key: (await createFileKey(gen)).key });
  for (const name of indexNames(app)) rows.push({ name: keyName('index', gen, name), key: await createIndexKey() });
  return rows;
}

/** `Entity/Attr` of every declared index of a persistent entity. */
export function indexNames(app: AppDefinition): string[] {
  const names: string[] = [];
  for (const entity of app.entities.values()) {
    if (!entity.persistent) continue;
    for (const { attribute } of entity.indexes) names.push(`${entity.name}/${attribute}`);
  }
  return names;
}

/**
 * Ephemeral vault (the browser cannot store CryptoKeys): keys are created in memory on every
 * open, and what an earlier page stored under its lost keys is deleted, since nothing can read it.
 * Never a fallback to plaintext.
 */
async function openEphemeral(db: Dexie, app: AppDefinition, meta: VaultMeta): Promise<LoadedKeyring> {
  const stores = db.tables.map((t) => t.name).filter((n) => n !== META_STORE);
  await db.transaction('rw', stores, async () => {
    for (const name of stores) await db.table(name).clear();
  });
  const material = emptyMaterial();
  for (const row of await freshDeviceKeys(app, 1, true)) addKey(material, row.name, row.key);
  return { meta: { ...meta, primary: 1 }, rows: [], slots: [], material };
}

async function storesHoldingData(db: Dexie, app: AppDefinition): Promise<string[]> {
  const names = [OUTBOX_STORE, ...[...app.entities.values()].filter((e) => e.persistent).map((e) => e.name)];
  const counts = await Promise.all(names.map((n) => db.table(n).count()));
  return names.filter((_, i) => counts[i]! > 0);
}

/** Number of rows of an entity that carry a blind index for `attribute`. */
async function indexedRowCount(db: Dexie, entity: string, attribute: string): Promise<number> {
  return db.table(entity).orderBy(indexField(attribute)).count();
}

/** Reads the meta row, the key rows and the slots as they are now. */
export async function readKeyring(db: Dexie): Promise<{ meta: VaultMeta | undefined; rows: KeyRow[]; slots: SlotRow[] }> {
  const meta = (await db.table(META_STORE).get('vault')) as VaultMeta | undefined;
  // A handful of rows, read whole; never through an index (Safari CryptoKey issue).
  const all = (await db.table(KEYRING_STORE).toArray()) as (KeyRow | SlotRow)[];
  return {
    meta,
    rows: all.filter((r): r is KeyRow => parseKeyName(r.name) !== undefined),
    slots: all.filter((r): r is SlotRow => r.name.startsWith(SLOT_PREFIX)),
  };
}

/** The generation new writes use: the meta's choice, else the newest record key. */
export function primaryGeneration(meta: VaultMeta, rows: readonly KeyRow[]): number {
  if (meta.primary !== undefined) return meta.primary;
  const gens = rows.map((r) => parseKeyName(r.name)).filter((p) => p?.purpose === 'record').map((p) => p!.gen);
  return gens.length === 0 ? 0 : Math.max(...gens);
}

/**
 * Loads the vault's meta row and key rows; creates both on first open.
 * Invariants:
 * - keys are generated non-extractable and written only when no meta row exists yet, in one
 *   transaction that re-checks for a meta row written meanwhile by another tab;
 * - a database that holds data (or says it was encrypted) but has no keys raises KeyLostError and
 *   is left untouched: new keys are never created over old ciphertext;
 * - a missing device-level blind-index key is created only when no row carries that index yet;
 * - the stored state wins over `wantEncrypted`: an encrypted vault stays encrypted (turning
 *   encryption off applies to new vaults only); a plaintext vault asked for encryption is
 *   migrated by the caller (key-lifecycle), not here.
 */
export async function loadOrCreateKeys(db: Dexie, app: AppDefinition, wantEncrypted: boolean): Promise<LoadedKeyring> {
  let { meta, rows, slots } = await readKeyring(db);

  if (meta === undefined) {
    const withData = await storesHoldingData(db, app);
    if (withData.length > 0 || rows.length > 0) {
      throw new KeyLostError('key-lost', 'The vault database holds data but its key store is gone', { stores: withData });
    }
    const fresh: VaultMeta = { name: 'vault', dbId: createDbId(), encrypted: wantEncrypted, created: new Date().toISOString(), level: 'device', epoch: 1 };
    if (wantEncrypted) fresh.primary = 1;
    const freshRows = wantEncrypted ? await freshDeviceKeys(app, 1, true) : [];
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
    ({ meta, rows, slots } = await readKeyring(db));
    meta = meta!;
  }

  if (!meta.encrypted) return { meta, rows, slots, ...(rows.some((r) => r.key !== undefined) ? { material: deviceMaterial(rows) } : {}) };
  if (meta.ephemeral === true) return openEphemeral(db, app, meta);
  const level = meta.level ?? 'device';
  const primary = primaryGeneration(meta, rows);
  const primaryRow = rows.find((r) => r.name === keyName('record', primary));
  if (primaryRow === undefined || (level === 'device' && primaryRow.key === undefined)) {
    throw new KeyLostError('key-lost', 'The vault is encrypted but its keys are gone', { missing: 'record', generation: primary });
  }
  if (level !== 'device') {
    if (slots.length === 0) throw new KeyLostError('key-lost', 'The vault is protected but its unlock slots are gone', { level });
    return { meta, rows, slots };
  }
  await ensureDeviceIndexKeys(db, app, rows, primary);
  ({ rows, slots } = await readKeyring(db));
  return { meta, rows, slots, material: deviceMaterial(rows) };
}

/**
 * Creates missing device-level index keys of the primary generation (an index added by a newer
 * app version). A missing key while rows still carry that index under no known key is KeyLostError.
 */
async function ensureDeviceIndexKeys(db: Dexie, app: AppDefinition, rows: readonly KeyRow[], primary: number): Promise<void> {
  const missing: string[] = [];
  for (const entity of app.entities.values()) {
    if (!entity.persistent) continue;
    for (const { attribute } of entity.indexes) {
      const name = `${entity.name}/${attribute}`;
      if (rows.some((r) => r.name === keyName('index', primary, name))) continue;
      const anyGeneration = rows.some((r) => parseKeyName(r.name)?.index === name);
      if (!anyGeneration && (await indexedRowCount(db, entity.name, attribute)) > 0) {
        throw new KeyLostError('key-lost', `The blind-index key of ${name} is gone`, { entity: entity.name, attribute });
      }
      missing.push(name);
    }
  }
  if (missing.length === 0) return;
  const created = await Promise.all(missing.map(async (name) => ({ name: keyName('index', primary, name), key: await createIndexKey() })));
  await db.transaction('rw', [KEYRING_STORE], async () => {
    for (const row of created) {
      // Another tab may have created the same index key first: keep the one already stored.
      if ((await db.table(KEYRING_STORE).get(row.name)) === undefined) await db.table(KEYRING_STORE).put(row);
    }
  });
}
