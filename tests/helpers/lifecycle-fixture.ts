import type { IDBFactory } from 'fake-indexeddb';
import { openVault, type OpenVaultOptions, type Vault } from '../../src/store/index.js';
import { freshIndexedDb, rawRows, salesApp } from './open-test-vault.js';

/** The IndexedDB database of the vault named 'test'. */
export const DB = 'offline-vault/test';

/** Stores whose every row must be sealed in an encrypted vault (entity stores of salesApp + bookkeeping). */
export const SEALED_STORES = ['Sales.Customer', 'Sales.Order', '_outbox', '_syncErrors', '_syncState'] as const;

export type Idb = ReturnType<typeof freshIndexedDb>;

/** Opens the vault 'test' again on the same in-memory IndexedDB. */
export function reopen(idb: Idb, overrides: Partial<OpenVaultOptions> = {}): Promise<Vault> {
  return openVault({ name: 'test', app: salesApp, requestPersistence: false, ...idb, ...overrides });
}

function rawDatabase(indexedDB: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Writes rows into a store through the raw IndexedDB API (what another program could do). */
export async function putRaw(indexedDB: IDBFactory, store: string, rows: unknown[]): Promise<void> {
  const db = await rawDatabase(indexedDB);
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    for (const row of rows) tx.objectStore(store).put(row);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

/** Deletes rows by key through the raw IndexedDB API; `keys` undefined clears the store. */
export async function deleteRaw(indexedDB: IDBFactory, store: string, keys?: IDBValidKey[]): Promise<void> {
  const db = await rawDatabase(indexedDB);
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    if (keys === undefined) tx.objectStore(store).clear();
    else for (const key of keys) tx.objectStore(store).delete(key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

type Row = Record<string, unknown>;

/** The raw rows of a store. */
export async function raw(idb: Idb, store: string): Promise<Row[]> {
  return (await rawRows(idb.indexedDB, DB, store)) as Row[];
}

/** Whether a raw row is sealed: an envelope and no plaintext members. */
export function isSealedRow(row: Row): boolean {
  return row['e'] instanceof Uint8Array && row['d'] === undefined;
}

/** How many raw rows of `stores` are sealed and how many are plaintext. */
export async function sealedCounts(idb: Idb, stores: readonly string[] = ['Sales.Customer']): Promise<{ sealed: number; plain: number }> {
  let sealed = 0;
  let plain = 0;
  for (const store of stores) for (const row of await raw(idb, store)) (isSealedRow(row) ? sealed++ : plain++);
  return { sealed, plain };
}

/** The `_keyring` row names, sorted. */
export async function keyringNames(idb: Idb): Promise<string[]> {
  return (await raw(idb, '_keyring')).map((r) => String(r['name'])).sort();
}

/** Key generations in envelope headers, per store holding sealed rows (from the vault's own audit). */
export async function keyIdsByStore(vault: Vault): Promise<Record<string, number[]>> {
  const report = await vault.verifyEncryption();
  return Object.fromEntries(report.stores.filter((s) => s.sealed > 0 && s.keyIds.length > 0).map((s) => [s.name, s.keyIds]));
}

/** Every key generation found in any envelope. */
export async function allKeyIds(vault: Vault): Promise<number[]> {
  return [...new Set(Object.values(await keyIdsByStore(vault)).flat())].sort((a, b) => a - b);
}

/**
 * Waits until the vault has no re-encryption pending (polling between macrotasks; bounded so a
 * stuck job fails the test instead of hanging it). Asserts nothing about time.
 */
export async function settled(vault: Vault, maxTurns = 2000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (vault.reencryption() === null) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`re-encryption still pending: ${JSON.stringify(vault.reencryption())}`);
}

/** Polls `check` until it is true (bounded, no timing assertion). */
export async function eventually(check: () => Promise<boolean> | boolean, maxTurns = 2000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition never became true');
}

/** `n` customers `c0..c<n-1>`, alternating between Delft and Leiden. */
export async function seedCustomers(vault: Vault, n: number, from = 0): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({ id: `c${from + i}`, Name: `Name ${from + i}`, City: (from + i) % 2 === 0 ? 'Delft' : 'Leiden', CreditLimit: from + i }));
  for (const row of rows) await vault.table('Sales.Customer').put(row);
}

/** The promise of a rejection (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Raw rows of every store except the keyring and meta, keyed by store (for byte comparisons). */
export async function dataSnapshot(idb: Idb): Promise<Record<string, Row[]>> {
  const db = await rawDatabase(idb.indexedDB);
  const names = [...db.objectStoreNames].filter((n) => n !== '_keyring' && n !== '_meta');
  db.close();
  const out: Record<string, Row[]> = {};
  for (const name of names) out[name] = await raw(idb, name);
  return out;
}

export { freshIndexedDb };
