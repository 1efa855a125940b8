import type { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { LockedError } from '../../src/core/errors.js';
import { createDbId, createFileKey, type FileKeys } from '../../src/crypto/index.js';
import { createFileStore, type FileKeySource, type FileStore } from '../../src/files/index.js';
import { createVaultDatabase, KEYRING_STORE, META_STORE } from '../../src/store/vault-database.js';
import { filesApp } from './file-fixture.js';

/** A vault database with a `_meta` row and (optionally) a device-level `file:1`, without openVault. */
export interface KeyedVault {
  db: Dexie;
  indexedDB: IDBFactory;
  dbId: Uint8Array;
  /** A file store over `db`; `keySource` as given (default: the keyring). */
  store(keySource?: FileKeySource, encrypt?: boolean): FileStore;
}

const open: Dexie[] = [];

/** Closes every database opened by `keyedVault`. */
export function closeKeyedVaults(): void {
  for (const db of open.splice(0)) db.close();
}

export async function keyedVault(options: { fileKey?: boolean; level?: 'device' | 'passphrase' | 'passkey' } = {}): Promise<KeyedVault> {
  const indexedDB = new IDBFactory();
  const db = createVaultDatabase('files', filesApp, { indexedDB, IDBKeyRange });
  await db.open();
  open.push(db);
  const dbId = createDbId();
  await db.table(META_STORE).put({ name: 'vault', dbId, encrypted: true, created: new Date().toISOString(), ...(options.level === undefined ? {} : { level: options.level }) });
  if (options.fileKey !== false) await db.table(KEYRING_STORE).put({ name: 'file:1', key: (await createFileKey(1)).key });
  return {
    db,
    indexedDB,
    dbId,
    store: (keySource, encrypt = true) =>
      createFileStore({ db, app: filesApp, vault: 'files', encrypt, ensureOpen: () => undefined, collectOnStart: false, ...(keySource === undefined ? {} : { keySource }) }),
  };
}

/** Adds file key generation `gen` (device level) and returns every generation, newest primary. */
export async function addFileKeyGeneration(db: Dexie, dbId: Uint8Array, gen: number): Promise<FileKeys> {
  await db.table(KEYRING_STORE).put({ name: `file:${gen}`, key: (await createFileKey(gen)).key });
  return deviceFileKeys(db, dbId);
}

/** Every device-level file key in `_keyring`, newest primary. */
export async function deviceFileKeys(db: Dexie, dbId: Uint8Array): Promise<FileKeys> {
  const all = new Map<number, CryptoKey>();
  for (const row of (await db.table(KEYRING_STORE).toArray()) as { name: string; key?: CryptoKey }[]) {
    if (row.name.startsWith('file:') && row.key !== undefined) all.set(Number(row.name.slice(5)), row.key);
  }
  const keyId = Math.max(...all.keys());
  return { dbId, all, primary: { keyId, key: all.get(keyId)! } };
}

/**
 * Moves the vault to a wrapped level as far as file keys go: `_meta.level` set, every `file:<g>`
 * row replaced by `{ name, wrapped }` (no `key`). Returns the keys an unlocked page would hold.
 */
export async function protectFileKeys(db: Dexie, dbId: Uint8Array, level: 'passphrase' | 'passkey' = 'passphrase'): Promise<FileKeys> {
  const keys = await deviceFileKeys(db, dbId);
  await db.transaction('rw', [META_STORE, KEYRING_STORE], async () => {
    await db.table(META_STORE).update('vault', { level });
    for (const keyId of keys.all.keys()) await db.table(KEYRING_STORE).put({ name: `file:${keyId}`, wrapped: { 1: new Uint8Array(66) } });
  });
  return keys;
}

/** A key source backed by a page's memory: `set(undefined)` locks it. */
export function memoryKeySource(initial: FileKeys | undefined): FileKeySource & { set(keys: FileKeys | undefined): void } {
  let keys = initial;
  const get = async (): Promise<FileKeys> => {
    if (keys === undefined) throw new LockedError('locked', 'The vault is locked', {});
    return keys;
  };
  return { load: get, ensure: get, set: (next) => void (keys = next) };
}
