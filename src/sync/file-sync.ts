import type { Dexie } from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { OfflineError, SyncError, ValidationError } from '../core/errors.js';
import { createFileEnv, type FileEnv } from '../files/file-env.js';
import type { FileKeySource } from '../files/file-key-source.js';
import type { FileStore } from '../files/file-store.js';
import { contentTypeOf } from '../files/read-file.js';
import { FILES_STORE, VERSIONS_STORE } from '../store/vault-database.js';
import { fileSyncKey, fileSyncTable, getFileSync, markDirty, newFileSyncRow, updateFileSync } from './file-bookkeeping.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from './file-protocol.js';
import { createFileTransport, type FileTransport } from './file-transport.js';
import { fetchFile, type FetchOutcome } from './fetch-file.js';
import type { SyncConfig } from './transport.js';
import { uploadFiles } from './upload-files.js';

/** `vault.files` with file sync: lazy download on `get` / `stream`, and `prefetch`. */
export interface SyncedFileStore extends FileStore {
  /**
   * Downloads every file of `entity` the device holds objects of and lacks (or holds an older
   * content version of). Resolves how many files were downloaded. Needs the server.
   */
  prefetch(entity: string, options?: { signal?: AbortSignal }): Promise<{ downloaded: number }>;
}

/** What the sync engine calls around a sync (see sync-engine.ts). */
export interface FileSyncHooks {
  /** Before the objects upload: uploads changed file contents (Mendix order). Resolves the count. */
  beforeUpload(run: { session: unknown; signal?: AbortSignal | undefined; include(entity: string, id: string): boolean }): Promise<number>;
  /** After the download: changed objects' files are revalidated, purged ones deleted, eager ones fetched. */
  afterDownload(run: { changed: ReadonlyMap<string, ReadonlySet<string>>; purged: readonly { entity: string; id: string }[]; signal?: AbortSignal | undefined }): Promise<number>;
}

/** The file-sync side of a vault. */
export interface FileSync {
  /** Pass to `createFileStore({ onLocalWrite })`: marks a `put` for upload in its commit transaction. */
  readonly onLocalWrite: { stores: readonly string[]; run(entity: string, id: string): Promise<void> };
  readonly hooks: FileSyncHooks;
  /** Adds lazy download and `prefetch` to the vault's file store. */
  wrap(files: FileStore): SyncedFileStore;
}

function isNetworkFailure(error: unknown): boolean {
  return error instanceof SyncError && (error.code === 'network' || error.code === 'offline');
}

/** Creates the file sync of a vault (`config` undefined: files stay local, nothing is fetched). */
export function createFileSync(deps: {
  db: Dexie;
  app: AppDefinition;
  vault: string;
  config: SyncConfig | undefined;
  encrypt: boolean | (() => boolean);
  keySource?: FileKeySource;
}): FileSync {
  const { db, app } = deps;
  const env: FileEnv = createFileEnv(db, deps.vault, 10 * 60 * 1000, Date.now, deps.keySource);
  const transport: FileTransport | undefined = deps.config === undefined ? undefined : createFileTransport(deps.config);
  const fileEntities = [...app.entities.values()].filter((e) => e.file !== undefined && e.persistent).map((e) => e.name);
  const inflight = new Map<string, Promise<FetchOutcome>>();

  const fetchOne = (entity: string, id: string, signal?: AbortSignal): Promise<FetchOutcome> => {
    let p = inflight.get(id);
    if (p === undefined) {
      p = fetchFile({ db, env, transport: transport!, encrypt: typeof deps.encrypt === 'function' ? deps.encrypt() : deps.encrypt, signal }, entity, id).finally(() => inflight.delete(id));
      inflight.set(id, p);
    }
    return p;
  };
  /** Whether the object has a server version (a never-uploaded create has no server file). */
  const onServer = async (entity: string, id: string): Promise<boolean> => (await db.table(VERSIONS_STORE).get(`${entity}\u0000${id}`)) !== undefined;
  const findEntity = async (id: string): Promise<string | undefined> => {
    for (const e of fileEntities) if ((await db.table(e).get(id)) !== undefined) return e;
    return undefined;
  };

  /** Makes the local copy current before a read, when that needs (and can use) the server. */
  async function ensureCurrent(id: string): Promise<void> {
    if (transport === undefined || typeof id !== 'string' || id === '') return;
    const row = await getFileSync(db, id);
    if (row?.dirty !== undefined || row?.fresh === true) return;
    const hasLocal = (await db.table(FILES_STORE).get(id)) !== undefined;
    if (hasLocal && row === undefined) return; // written before file sync knew it: local only
    const entity = row?.entity ?? (await findEntity(id));
    if (entity === undefined || !(await onServer(entity, id))) return;
    try {
      await fetchOne(entity, id);
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      if (hasLocal) return; // serve the older copy offline
      throw new OfflineError('file-not-available', 'The file was never downloaded to this device and the server cannot be reached', { entity, id }, { cause: error });
    }
  }

  async function prefetchEntity(entity: string, signal?: AbortSignal): Promise<number> {
    const def = app.entity(entity);
    if (def.file === undefined) throw new ValidationError('not-a-file-entity', `${entity} is not a file entity`, { entity });
    if (transport === undefined) throw new SyncError('not-configured', 'openVault was called without a sync configuration', { vault: deps.vault });
    const ids = (await db.table(entity).toCollection().primaryKeys()) as string[];
    let downloaded = 0;
    for (const id of ids) {
      if (signal?.aborted === true) break;
      const row = await getFileSync(db, id);
      if (row?.dirty !== undefined || row?.fresh === true || !(await onServer(entity, id))) continue;
      if ((await fetchOne(entity, id, signal)) === 'downloaded') downloaded++;
    }
    return downloaded;
  }

  const hooks: FileSyncHooks = {
    async beforeUpload(run) {
      if (transport === undefined) return 0;
      const session = run.session as { files?: Partial<FileLimits> } | undefined;
      const limits: FileLimits = { ...DEFAULT_FILE_LIMITS, ...(session?.files ?? {}) };
      return uploadFiles({ db, env, transport, limits, signal: run.signal, include: run.include }, contentTypeOf);
    },
    async afterDownload(run) {
      for (const p of run.purged) {
        if (!fileEntities.includes(p.entity)) continue;
        await db.transaction('rw', [FILES_STORE, '_fileChunks', VERSIONS_STORE], async () => {
          const row = await fileSyncTable(db).get(fileSyncKey(p.id));
          if (row?.dirty !== undefined) return; // a local change decides through its upload
          await fileSyncTable(db).delete(fileSyncKey(p.id));
          const file = await db.table(FILES_STORE).get(p.id);
          if (file === undefined) return;
          await db.table(FILES_STORE).delete(p.id);
          await db.table('_fileChunks').where(':id').between([file.fileId, -Infinity], [file.fileId, Infinity], true, true).delete();
        });
      }
      for (const [entity, ids] of run.changed) {
        if (!fileEntities.includes(entity)) continue;
        for (const id of ids) {
          // The object changed on the server (its contents may have): check before the next read.
          await updateFileSync(db, id, (r) => (r?.dirty !== undefined || (r === undefined && run.purged.some((p) => p.id === id)) ? undefined : { ...(r ?? newFileSyncRow(entity, id)), fresh: false }));
        }
      }
      let downloaded = 0;
      for (const entity of fileEntities) {
        if (app.syncProfile.get(entity)?.files !== 'eager') continue;
        downloaded += await prefetchEntity(entity, run.signal);
      }
      return downloaded;
    },
  };

  return {
    onLocalWrite: { stores: [VERSIONS_STORE], run: (entity, id) => markDirty(db, entity, id) },
    hooks,
    wrap(files) {
      return {
        ...files,
        get encrypted() {
          return files.encrypted;
        },
        async get(id) {
          await ensureCurrent(id);
          return files.get(id);
        },
        async stream(id, range) {
          await ensureCurrent(id);
          return files.stream(id, range);
        },
        async prefetch(entity, options = {}) {
          return { downloaded: await prefetchEntity(entity, options.signal) };
        },
      };
    },
  };
}
