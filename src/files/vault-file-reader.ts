import { Dexie } from 'dexie';
import { mapStorageError } from '../store/map-storage-error.js';
import { databaseName, type IndexedDbDependencies } from '../store/vault-database.js';
import { createFileEnv, type FileEnv } from './file-env.js';
import { DEFAULT_STALE_WRITE_MS } from './file-store.js';
import { contentTypeOf, openStoredFile, readRange, verifiedSize, type ByteRange } from './read-file.js';
import { toByteStream } from './to-byte-stream.js';

/** One committed file version, opened for reading (its header verified). */
export interface OpenedVaultFile {
  /** Size in bytes, after verifying the final segment. */
  size: number;
  contentType: string;
  /** Verified bytes of `[start, end)` of this very version (a newer version errors the stream). */
  stream(range?: ByteRange): ReadableStream<Uint8Array>;
}

/** Read-only access to the files of one vault, for a service worker. */
export interface VaultFileReader {
  /** The committed file of object `id`, or undefined when it has none. */
  open(id: string): Promise<OpenedVaultFile | undefined>;
  /** False once the connection closed (another tab upgraded or deleted the database): open a new reader. */
  isOpen(): boolean;
  close(): void;
}

/**
 * Opens the IndexedDB database of vault `vault` read-only, without knowing its app: Dexie's dynamic
 * mode takes the schema from the database. Resolves undefined when the vault has no database (and
 * never creates one). Keys come from the database's own `_meta` and `_keyring` stores.
 * Checklist: only reads (no key creation, no garbage collection); the connection closes itself on
 * `versionchange`, so an app upgrade or `signOut()` in a page is never blocked by a worker.
 */
export async function openVaultFileReader(vault: string, deps: IndexedDbDependencies = {}): Promise<VaultFileReader | undefined> {
  const db = new Dexie(databaseName(vault), {
    ...(deps.indexedDB === undefined ? {} : { indexedDB: deps.indexedDB }),
    ...(deps.IDBKeyRange === undefined ? {} : { IDBKeyRange: deps.IDBKeyRange }),
    autoOpen: false,
  });
  try {
    await db.open();
  } catch (error) {
    if ((error as { name?: string } | null)?.name === 'NoSuchDatabaseError') return undefined;
    throw mapStorageError(error, { vault, operation: 'open-files' });
  }
  const env: FileEnv = createFileEnv(db, vault, DEFAULT_STALE_WRITE_MS);
  return {
    async open(id) {
      try {
        const file = await openStoredFile(env, id);
        if (file === undefined) return undefined;
        const size = await verifiedSize(env, file);
        const contentType = await contentTypeOf(file);
        return { size, contentType, stream: (range = {}) => toByteStream(readRange(env, file, range)) };
      } catch (error) {
        throw mapStorageError(error, { vault, operation: 'read-file', id });
      }
    },
    isOpen: () => db.isOpen(),
    close: () => db.close(),
  };
}
