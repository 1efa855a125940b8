import { Dexie } from 'dexie';
import { mapStorageError } from '../store/map-storage-error.js';
import { databaseName, type IndexedDbDependencies } from '../store/vault-database.js';
import { createFileEnv, type FileEnv } from './file-env.js';
import { keyringFileKeySource, type FileKeySource } from './file-key-source.js';
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
  /** Drops the keys this reader holds in memory (a page locked): the next open fetches them again. */
  forgetKeys(): void;
  /** False once the connection closed (another tab upgraded or deleted the database): open a new reader. */
  isOpen(): boolean;
  close(): void;
}

/** Options of `openVaultFileReader`. */
export interface VaultFileReaderOptions {
  /**
   * Where the file keys come from, given the reader's database; default: its own `_meta` and
   * `_keyring` (keyringFileKeySource). The reader only calls `load` and `reload`.
   */
  keySource?: FileKeySource | ((db: Dexie) => FileKeySource);
}

/**
 * Opens the IndexedDB database of vault `vault` read-only, without knowing its app: Dexie's dynamic
 * mode takes the schema from the database. Resolves undefined when the vault has no database (and
 * never creates one). Keys come from `options.keySource`, by default the database's own `_meta`
 * and `_keyring` stores (LockedError 'locked' at the passphrase / passkey levels).
 * Checklist: only reads (no key creation, no garbage collection); the connection closes itself on
 * `versionchange`, so an app upgrade or `signOut()` in a page is never blocked by a worker.
 */
export async function openVaultFileReader(
  vault: string,
  deps: IndexedDbDependencies = {},
  options: VaultFileReaderOptions = {},
): Promise<VaultFileReader | undefined> {
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
  const given = options.keySource;
  const source = typeof given === 'function' ? given(db) : (given ?? keyringFileKeySource(db));
  // Reads only: a write path reaching `ensure` would be a bug, so it gets the read keys.
  const env: FileEnv = createFileEnv(db, vault, DEFAULT_STALE_WRITE_MS, Date.now, { load: () => source.load(), ensure: () => source.load(), reload: () => source.reload?.() });
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
    forgetKeys: () => env.reloadKeys(),
    isOpen: () => db.isOpen(),
    close: () => db.close(),
  };
}
