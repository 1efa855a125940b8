import type { Dexie } from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { ValidationError, VaultError } from '../core/errors.js';
import { mapStorageError } from '../store/map-storage-error.js';
import { FILE_CHUNKS_STORE, FILES_STORE } from '../store/vault-database.js';
import { collectGarbage } from './collect-garbage.js';
import { encryptExisting, type EncryptExistingOptions } from './encrypt-existing.js';
import { createFileEnv, type FileEnv } from './file-env.js';
import type { FileKeySource } from './file-key-source.js';
import { allChunks, filesTable } from './file-format.js';
import { DEFAULT_FILES_PREFIX, fileUrl } from './file-url.js';
import { contentTypeOf, openStoredFile, readRange, verifiedSize, type ByteRange, type OpenedFile } from './read-file.js';
import type { FileSource } from './segment-source.js';
import { toByteStream } from './to-byte-stream.js';
import { writeFile } from './write-file.js';

/** Default size limit per file: 100 MiB (above the 64 MiB benchmark file); set `files.maxFileSize`. */
export const DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024;
/** Default age after which another tab's unfinished write counts as crashed: 10 minutes. */
export const DEFAULT_STALE_WRITE_MS = 10 * 60 * 1000;

/** File options of `openVault`. */
export interface FileStoreOptions {
  /** Largest file in bytes: one number for every file entity, or per entity (others get the default). */
  maxFileSize?: number | Readonly<Record<string, number>>;
  /** An unfinished write older than this (ms, renewed every 1 MiB) is collected as crashed. */
  staleWriteMs?: number;
  /** Path prefix of `url(id)`; must match the service worker's `filesPrefix`. @default '/vault-files/' */
  urlPrefix?: string;
}

/** What `info` tells about a stored file. */
export interface FileInfo {
  id: string;
  entity: string;
  size: number;
  contentType: string;
  /** Whether the contents are encrypted at rest (files written with encryption off are not). */
  encrypted: boolean;
  /** 1 for the first version, +1 per overwrite. */
  version: number;
}

/** `vault.files`: contents of file entities (Mendix FileDocument / Image), encrypted at rest. */
export interface FileStore {
  /** Whether new and overwritten files are encrypted. */
  readonly encrypted: boolean;
  /**
   * Stores the contents of object `id` of file entity `entity`, replacing earlier contents only
   * once the new ones are completely written. `contentType` defaults to the Blob's type.
   */
  put(entity: string, id: string, source: FileSource, options?: { contentType?: string }): Promise<{ size: number; contentType: string }>;
  /** The whole file as a Blob (every segment verified), or undefined when there is none. */
  get(id: string): Promise<Blob | undefined>;
  /**
   * A verified byte stream of `[start, end)` (default: the whole file), decrypting only the
   * segments the range covers; memory stays at a few 64 KiB segments for any size. Rejects with
   * 'file-not-found' when there is no file; verification failures error the stream.
   */
  stream(id: string, range?: ByteRange): Promise<ReadableStream<Uint8Array>>;
  /** Size in bytes after verifying the final segment, or undefined when there is no file. */
  size(id: string): Promise<number | undefined>;
  /** Size, content type, encryption and version of a file, or undefined when there is none. */
  info(id: string): Promise<FileInfo | undefined>;
  has(id: string): Promise<boolean>;
  /**
   * The URL (`<urlPrefix><vault>/<id>`) at which the offline-vault service worker serves the file,
   * decrypted, with Range support: usable as `<img src>` also offline. Needs no stored file yet.
   */
  url(id: string): string;
  /** Deletes a file's contents; resolves whether there was one. */
  delete(id: string): Promise<boolean>;
  /** Re-encrypts plain files (written with file encryption off), resumable after interruption. */
  encryptExisting(options?: EncryptExistingOptions): Promise<{ encrypted: number }>;
  /** Deletes the leftovers of interrupted writes; resolves how many file versions were removed. */
  collectGarbage(): Promise<number>;
}

/** Dependencies of `createFileStore`. */
export interface FileStoreContext extends FileStoreOptions {
  db: Dexie;
  app: AppDefinition;
  /** Vault name, for error details. */
  vault: string;
  /** Encrypt new files (a function: decided per write, e.g. following the database's encryption). */
  encrypt: boolean | (() => boolean);
  /** Throws when the vault is closed. */
  ensureOpen(): void;
  /** Start collecting leftovers of interrupted writes right away. @default true */
  collectOnStart?: boolean;
  /** Clock for write leases (tests). */
  now?: () => number;
  /**
   * Where the file keys come from; default: the vault's `_keyring` (device level). At the
   * passphrase / passkey levels pass a source backed by the unlocked keys (LockedError when locked).
   */
  keySource?: FileKeySource;
  /** Runs inside the commit transaction of every `put` (file sync marks the file changed there). */
  onLocalWrite?: { stores: readonly string[]; run(entity: string, id: string): Promise<void> };
}

function maxSizeFor(options: FileStoreOptions, entity: string): number {
  const limit = options.maxFileSize;
  const value = typeof limit === 'number' ? limit : (limit?.[entity] ?? DEFAULT_MAX_FILE_SIZE);
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new ValidationError('invalid-option', 'files.maxFileSize must be a non-negative number', { option: 'files.maxFileSize', entity });
  }
  return value;
}

function checkRange(id: string, range: ByteRange): void {
  for (const [name, v] of Object.entries(range)) {
    if (v !== undefined && (!Number.isSafeInteger(v) || (v as number) < 0)) {
      throw new ValidationError('invalid-range', `Range ${name} must be a non-negative integer`, { id, member: name });
    }
  }
}

/** The file store of an open vault (or of a service worker over the same database). */
export function createFileStore(ctx: FileStoreContext): FileStore {
  const env: FileEnv = createFileEnv(ctx.db, ctx.vault, ctx.staleWriteMs ?? DEFAULT_STALE_WRITE_MS, ctx.now, ctx.keySource);
  let gc: Promise<number> | undefined;
  const run = async <T>(operation: string, id: string | undefined, body: () => Promise<T>): Promise<T> => {
    ctx.ensureOpen();
    try {
      return await body();
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error; // a caller's AbortSignal
      throw mapStorageError(error, { vault: ctx.vault, operation, ...(id === undefined ? {} : { id }) });
    }
  };
  const open = async (id: string): Promise<OpenedFile | undefined> => {
    if (typeof id !== 'string' || id === '') throw new ValidationError('invalid-id', 'A file id must be a non-empty string', { rule: 'id' });
    return openStoredFile(env, id);
  };
  const mustOpen = async (id: string): Promise<OpenedFile> => {
    const file = await open(id);
    if (file === undefined) throw new VaultError('file-not-found', `No file is stored for object ${id}`, { id });
    return file;
  };

  const encrypting = () => (typeof ctx.encrypt === 'function' ? ctx.encrypt() : ctx.encrypt);
  const store: FileStore = {
    get encrypted() {
      return encrypting();
    },
    put(entity, id, source, options = {}) {
      return run('write-file', id, async () => {
        const def = ctx.app.entity(entity);
        if (def.file === undefined) throw new ValidationError('not-a-file-entity', `${entity} is not a file entity`, { entity });
        if (typeof id !== 'string' || id === '') throw new ValidationError('invalid-id', 'A file id must be a non-empty string', { entity, rule: 'id' });
        const contentType = options.contentType ?? (source instanceof Blob && source.type !== '' ? source.type : 'application/octet-stream');
        const hook = ctx.onLocalWrite;
        const alsoInCommit = hook === undefined ? undefined : { stores: hook.stores, run: () => hook.run(entity, id) };
        const row = await writeFile(env, {
          entity,
          id,
          source,
          contentType,
          encrypt: encrypting(),
          maxSize: maxSizeFor(ctx, entity),
          ...(alsoInCommit === undefined ? {} : { alsoInCommit }),
        });
        return { size: row!.size, contentType };
      });
    },
    get(id) {
      return run('read-file', id, async () => {
        const file = await open(id);
        if (file === undefined) return undefined;
        const parts: Uint8Array<ArrayBuffer>[] = [];
        for await (const part of readRange(env, file, {})) parts.push(part as Uint8Array<ArrayBuffer>);
        return new Blob(parts, { type: await contentTypeOf(file) });
      });
    },
    stream(id, range = {}) {
      return run('read-file', id, async () => {
        checkRange(id, range);
        return toByteStream(readRange(env, await mustOpen(id), range));
      });
    },
    size(id) {
      return run('read-file', id, async () => {
        const file = await open(id);
        return file === undefined ? undefined : verifiedSize(env, file);
      });
    },
    info(id) {
      return run('read-file', id, async () => {
        const file = await open(id);
        if (file === undefined) return undefined;
        const { row } = file;
        return {
          id,
          entity: row.entity,
          size: await verifiedSize(env, file),
          contentType: await contentTypeOf(file),
          encrypted: file.context !== undefined,
          version: row.version,
        };
      });
    },
    url(id) {
      return fileUrl(ctx.urlPrefix ?? DEFAULT_FILES_PREFIX, ctx.vault, id);
    },
    has(id) {
      return run('read-file', id, async () => (await filesTable(ctx.db).get(id)) !== undefined);
    },
    delete(id) {
      return run('delete-file', id, () =>
        ctx.db.transaction('rw', [FILES_STORE, FILE_CHUNKS_STORE], async () => {
          const row = await filesTable(ctx.db).get(id);
          if (row === undefined) return false;
          await filesTable(ctx.db).delete(id);
          await allChunks(ctx.db, row.fileId).delete();
          return true;
        }),
      );
    },
    encryptExisting(options) {
      return run('encrypt-files', undefined, () => encryptExisting(env, options));
    },
    collectGarbage() {
      gc ??= run('collect-files', undefined, () => collectGarbage(env)).finally(() => {
        gc = undefined;
      });
      return gc;
    },
  };
  if (ctx.collectOnStart !== false) {
    // Leftovers of a crash are harmless meanwhile (unreachable): collect in the background.
    store.collectGarbage().catch(() => undefined);
  }
  return store;
}
