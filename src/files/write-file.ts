import type { IndexableTypeArrayReadonly } from 'dexie';
import { StorageError, ValidationError } from '../core/errors.js';
import { createFileHeader, fileIdHex, FILE_ID_LENGTH, SEGMENT_SIZE, sealFileMeta, sealSegment, type FileStreamContext } from '../crypto/index.js';
import { mapStorageError } from '../store/map-storage-error.js';
import { FILE_CHUNKS_STORE, FILES_STORE } from '../store/vault-database.js';
import type { FileEnv } from './file-env.js';
import {
  allChunks,
  chunkKey,
  chunksFrom,
  chunksTable,
  createPlainHeader,
  filesTable,
  MARKER_INDEX,
  WRITE_BATCH,
  type FileRow,
  type PendingMarker,
} from './file-format.js';
import { segmentsOf, type FileSource } from './segment-source.js';

/** One file version to write. */
export interface WriteRequest {
  entity: string;
  id: string;
  source: FileSource;
  contentType: string;
  encrypt: boolean;
  maxSize: number;
  /** Commit only if the object's row still holds this fileId (re-encryption); else drop the new version. */
  ifFileId?: string;
  /** Extra stores the commit transaction may write, and what to write there. */
  alsoInCommit?: { stores: readonly string[]; run(): Promise<void> };
}

/** Result of a write: the committed row, or undefined when `ifFileId` no longer matched. */
export type WriteResult = FileRow | undefined;

function interrupted(req: WriteRequest, rule: string): StorageError {
  return new StorageError('file-write-interrupted', 'The file write was interrupted; its partial data was discarded', {
    entity: req.entity,
    id: req.id,
    rule,
  });
}

async function checkEntity(env: FileEnv, req: WriteRequest): Promise<void> {
  const existing = await filesTable(env.db).get(req.id);
  if (existing !== undefined && existing.entity !== req.entity) {
    throw new ValidationError('file-entity-mismatch', `Object ${req.id} already has a file of another entity`, {
      entity: req.entity,
      id: req.id,
      storedEntity: existing.entity,
    });
  }
}

/** Deletes every chunk of a file version and its marker; never throws (GC catches what remains). */
export async function discardVersion(env: FileEnv, fileId: string): Promise<void> {
  try {
    await env.db.transaction('rw', [FILE_CHUNKS_STORE], () => allChunks(env.db, fileId).delete());
  } catch {
    // Left for the garbage collector: the marker's lease expires.
  }
}

/**
 * Writes a new version of an object's file and commits it. Checklist:
 * - a new random fileId (and, when encrypting, a new FEK and nonce prefix) for every version;
 * - the pending marker [fileId, -1] is written, in its own transaction, before any segment, and
 *   the fileId is in `env.inFlight` until the write ends, so no collector takes the segments;
 * - segments are sealed outside transactions (WebCrypto would let them auto-commit), then written
 *   WRITE_BATCH at a time, each batch one transaction that also renews the marker's lease;
 * - the row is written last, in one transaction that checks the marker and every segment are
 *   still there, deletes the marker and the previous version's chunks: readers see the old
 *   version or the new one, never a half-file;
 * - on any failure (quota, source error, size limit) the new version's chunks are deleted.
 */
export async function writeFile(env: FileEnv, req: WriteRequest): Promise<WriteResult> {
  const { db } = env;
  await checkEntity(env, req);
  let context: FileStreamContext | undefined;
  let header: Uint8Array;
  if (req.encrypt) {
    ({ header, context } = await createFileHeader(await env.writeKeys()));
  } else {
    header = createPlainHeader(crypto.getRandomValues(new Uint8Array(FILE_ID_LENGTH)));
  }
  const fileId = fileIdHex(header.subarray(4, 4 + FILE_ID_LENGTH));
  const marker = (): PendingMarker => ({ state: 'pending', id: req.id, entity: req.entity, lease: env.now() });
  env.inFlight.add(fileId);
  try {
    await db.transaction('rw', [FILE_CHUNKS_STORE], () => chunksTable(db).put(marker(), chunkKey(fileId, MARKER_INDEX)));
    let size = 0;
    let count = 0;
    let batch: Promise<Uint8Array>[] = [];
    const flush = async (): Promise<void> => {
      const sealed = await Promise.all(batch);
      const first = count - sealed.length;
      batch = [];
      await db.transaction('rw', [FILE_CHUNKS_STORE], async () => {
        if ((await chunksTable(db).get(chunkKey(fileId, MARKER_INDEX))) === undefined) throw interrupted(req, 'marker-collected');
        await chunksTable(db).bulkPut(
          sealed.map((c) => ({ c })),
          sealed.map((_, j) => chunkKey(fileId, first + j)) as unknown as IndexableTypeArrayReadonly,
        );
        await chunksTable(db).put(marker(), chunkKey(fileId, MARKER_INDEX));
      });
    };
    const where = { entity: req.entity, id: req.id };
    for await (const seg of segmentsOf(req.source, SEGMENT_SIZE, req.maxSize, where)) {
      size += seg.bytes.length;
      count++;
      const sealing = context === undefined ? Promise.resolve(seg.bytes) : sealSegment(context, seg.index, seg.last, seg.bytes);
      sealing.catch(() => undefined); // awaited in flush; avoid an unhandled rejection meanwhile
      batch.push(sealing);
      if (batch.length === WRITE_BATCH) await flush();
    }
    if (batch.length > 0) await flush();

    const row: FileRow = {
      id: req.id,
      entity: req.entity,
      fileId,
      header,
      ...(context === undefined ? { contentType: req.contentType } : { meta: await sealFileMeta(context, { contentType: req.contentType }) }),
      size,
      state: 'committed',
      version: 1,
    };
    let superseded = false;
    await db.transaction('rw', [FILES_STORE, FILE_CHUNKS_STORE, ...(req.alsoInCommit?.stores ?? [])], async () => {
      if ((await chunksTable(db).get(chunkKey(fileId, MARKER_INDEX))) === undefined) throw interrupted(req, 'marker-collected');
      if ((await chunksFrom(db, fileId, 0).count()) !== count) throw interrupted(req, 'segment-missing');
      const old = await filesTable(db).get(req.id);
      if (req.ifFileId !== undefined && old?.fileId !== req.ifFileId) {
        superseded = true;
        return;
      }
      if (old !== undefined && old.entity !== req.entity) {
        throw new ValidationError('file-entity-mismatch', `Object ${req.id} already has a file of another entity`, { entity: req.entity, id: req.id });
      }
      if (old !== undefined) await allChunks(db, old.fileId).delete();
      row.version = (old?.version ?? 0) + 1;
      await filesTable(db).put(row);
      await chunksTable(db).delete(chunkKey(fileId, MARKER_INDEX));
      await req.alsoInCommit?.run();
    });
    if (superseded) {
      await discardVersion(env, fileId);
      return undefined;
    }
    return row;
  } catch (error) {
    await discardVersion(env, fileId);
    throw mapStorageError(error, { vault: env.vault, entity: req.entity, id: req.id, operation: 'write-file' });
  } finally {
    env.inFlight.delete(fileId);
  }
}
