import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { defineApp } from '../../src/app/index.js';
import { openVault, type OpenVaultOptions, type Vault } from '../../src/store/index.js';

export const S = 65_536;
export const DB_NAME = 'offline-vault/files';

export const filesApp = defineApp({
  entities: {
    'Docs.Photo': { file: 'image', attributes: { Caption: 'string' } },
    'Docs.Report': { file: 'file', attributes: { Title: 'string' } },
    'Docs.Note': { attributes: { Text: 'string' } },
  },
});

/** Opens the 'files' vault on `indexedDB` (a fresh in-memory one by default). */
export async function openFilesVault(
  overrides: Partial<OpenVaultOptions> = {},
): Promise<{ vault: Vault; indexedDB: IDBFactory }> {
  const indexedDB = (overrides.indexedDB as IDBFactory | undefined) ?? new IDBFactory();
  const vault = await openVault({ name: 'files', app: filesApp, requestPersistence: false, IDBKeyRange, ...overrides, indexedDB });
  return { vault, indexedDB };
}

/** `n` random bytes (getRandomValues fills at most 64 KiB per call). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += S) crypto.getRandomValues(out.subarray(at, Math.min(n, at + S)));
  return out;
}

/** A 16-byte ASCII canary repeated over `n` bytes: any plaintext copy is easy to find. */
export function canaryBytes(n: number, canary = 'FILE-CANARY-9d2e'): Uint8Array<ArrayBuffer> {
  const unit = new TextEncoder().encode(canary);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = unit[i % unit.length]!;
  return out;
}

/** Every byte of a stream, and the error that ended it (if any). */
export async function drain(stream: ReadableStream<Uint8Array>): Promise<{ chunks: Uint8Array[]; error: unknown }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return { chunks, error: undefined };
      chunks.push(r.value);
    }
  } catch (error) {
    return { chunks, error };
  }
}


export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));
}

async function withDb<T>(indexedDB: IDBFactory, run: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await run(db);
  } finally {
    db.close();
  }
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Raw IndexedDB access to one store, bypassing the SDK (what an attacker with the profile can do). */
export const raw = {
  get: (idb: IDBFactory, store: string, key: IDBValidKey) =>
    withDb(idb, (db) => request(db.transaction(store).objectStore(store).get(key))) as Promise<any>,
  all: (idb: IDBFactory, store: string) => withDb(idb, (db) => request(db.transaction(store).objectStore(store).getAll())) as Promise<any[]>,
  keys: (idb: IDBFactory, store: string) =>
    withDb(idb, (db) => request(db.transaction(store).objectStore(store).getAllKeys())) as Promise<any[]>,
  put: (idb: IDBFactory, store: string, value: unknown, key?: IDBValidKey) =>
    withDb(idb, (db) => request(db.transaction(store, 'readwrite').objectStore(store).put(value, key))),
  delete: (idb: IDBFactory, store: string, key: IDBValidKey) =>
    withDb(idb, (db) => request(db.transaction(store, 'readwrite').objectStore(store).delete(key))),
};

/** The committed row of object `id` and its chunk rows in index order (marker excluded). */
export async function storedFile(idb: IDBFactory, id: string): Promise<{ row: any; chunks: Uint8Array[] }> {
  const row = await raw.get(idb, '_files', id);
  const keys = (await raw.keys(idb, '_fileChunks')) as [string, number][];
  const mine = keys.filter(([f, i]) => f === row.fileId && i >= 0).sort((a, b) => a[1] - b[1]);
  const chunks = await Promise.all(mine.map(async (k) => (await raw.get(idb, '_fileChunks', k)).c as Uint8Array));
  return { row, chunks };
}

/** 'equal', or where two byte arrays first differ (toEqual on megabytes is very slow). */
export function byteDiff(actual: Uint8Array | undefined, expected: Uint8Array): string {
  if (actual === undefined) return 'missing';
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return 'equal';
  let i = 0;
  while (a[i] === b[i]) i++;
  return `differs at ${i}`;
}

/** The bytes of a Blob (or undefined). */
export async function blobBytes(blob: Blob | undefined): Promise<Uint8Array | undefined> {
  return blob === undefined ? undefined : new Uint8Array(await blob.arrayBuffer());
}
export { concatBytes } from '../../src/crypto/index.js';
