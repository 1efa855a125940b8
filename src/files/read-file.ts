import { IntegrityError, StorageError } from '../core/errors.js';
import { openFileMeta, openSegment, SEGMENT_SIZE, fileIdHex, type FileStreamContext } from '../crypto/index.js';
import { FILE_CHUNKS_STORE, FILES_STORE } from '../store/vault-database.js';
import { openHeader, rememberSize, type FileEnv } from './file-env.js';
import { chunkKey, chunksFrom, chunksTable, filesTable, headerKind, READ_BATCH, segmentCount, type FileRow } from './file-format.js';

/** A committed file version, its header verified (and FEK unwrapped) before any segment is read. */
export interface OpenedFile {
  row: FileRow;
  /** Absent for plain files. */
  context?: FileStreamContext;
  /** Segment count implied by the stored size: a hint, every use of it is verified by the segments. */
  segments: number;
}

/** Opens the committed version of an object's file; undefined when there is none. */
export async function openStoredFile(env: FileEnv, id: string): Promise<OpenedFile | undefined> {
  const row = await filesTable(env.db).get(id);
  if (row === undefined) return undefined;
  if (!Number.isSafeInteger(row.size) || row.size < 0) {
    throw new IntegrityError('integrity-check-failed', 'Stored file size is invalid', { id, rule: 'size' });
  }
  const segments = segmentCount(row.size, SEGMENT_SIZE);
  if (headerKind(row.header) === 'plain') return { row, segments };
  const context = await openHeader(env, row.header, row.headerHash);
  if (fileIdHex(context.fileId) !== row.fileId) {
    throw new IntegrityError('integrity-check-failed', 'File header belongs to another file', { id, rule: 'file-id' });
  }
  return { row, context, segments };
}

/** The content type: sealed under the FEK for encrypted files, plain for plain files. */
export async function contentTypeOf(file: OpenedFile): Promise<string> {
  if (file.context === undefined) return file.row.contentType ?? 'application/octet-stream';
  const meta = await openFileMeta(file.context, file.row.meta ?? new Uint8Array(0));
  return typeof meta['contentType'] === 'string' ? meta['contentType'] : 'application/octet-stream';
}

function fail(code: string, message: string, file: OpenedFile, index: number, rule?: string): IntegrityError {
  return new IntegrityError(code, message, { id: file.row.id, entity: file.row.entity, index, ...(rule === undefined ? {} : { rule }) });
}

/** Plain chunks get the same structural checks as ciphertext, without authentication. */
function checkPlain(file: OpenedFile, index: number, isLast: boolean, bytes: Uint8Array): Uint8Array {
  const ok = isLast ? bytes.length <= SEGMENT_SIZE && (bytes.length > 0 || index === 0) : bytes.length === SEGMENT_SIZE;
  if (!ok) throw fail('integrity-check-failed', 'File chunk has the wrong length', file, index, 'chunk-length');
  return bytes;
}

function openChunk(file: OpenedFile, index: number, value: unknown): Promise<Uint8Array> {
  const isLast = index === file.segments - 1;
  const c = (value as { c?: unknown } | undefined)?.c;
  if (!(c instanceof Uint8Array)) return Promise.reject(fail('integrity-check-failed', 'File chunk is malformed', file, index, 'chunk-shape'));
  if (file.context === undefined) return Promise.resolve(checkPlain(file, index, isLast, c));
  return openSegment(file.context, index, isLast, c).catch((error: unknown) => {
    // Re-throw with the object named; openSegment's code (truncated / extra-data / ...) is kept.
    const e = error as IntegrityError;
    throw fail(e.code, e.message, file, index);
  });
}

/**
 * Verified plaintext of segments `from..to` (inclusive), in order. Checklist:
 * - chunks are fetched READ_BATCH at a time, each batch one read transaction (a consistent
 *   snapshot), and decrypted after it; the next batch is read while the current one is decrypted
 *   and consumed, so memory stays at two batches for any file size;
 * - segment i is yielded only after its tag verified and every segment before it was yielded;
 *   a failure stops the stream there (later segments' results are dropped unread);
 * - the final segment (by the stored size) must verify as final, match the stored size, and have
 *   no record after it ('extra-data'); a missing one is 'truncated';
 * - a chunk missing because the object got a new version meanwhile is StorageError 'file-changed',
 *   not an integrity failure.
 */
export async function* readSegments(env: FileEnv, file: OpenedFile, from: number, to: number): AsyncGenerator<Uint8Array> {
  const { db } = env;
  const { fileId, id } = file.row;
  const final = file.segments - 1;
  const fetchBatch = (start: number) => {
    const end = Math.min(to, start + READ_BATCH - 1);
    const indices = Array.from({ length: end - start + 1 }, (_, j) => start + j);
    const promise = db.transaction('r', [FILE_CHUNKS_STORE, FILES_STORE], async () => {
      const values = await chunksTable(db).bulkGet(indices.map((i) => chunkKey(fileId, i)));
      const extra = end === final ? await chunksFrom(db, fileId, final + 1).count() : 0;
      const current = values.includes(undefined) ? (await filesTable(db).get(id))?.fileId : fileId;
      return { values, extra, current };
    });
    promise.catch(() => undefined); // awaited in order below
    return { end, indices, promise };
  };
  let next = from <= to ? fetchBatch(from) : undefined;
  while (next !== undefined) {
    const { end, indices } = next;
    const batch = await next.promise;
    // Read the next batch while this one is decrypted and consumed: one batch ahead at most.
    next = end < to ? fetchBatch(end + 1) : undefined;
    if (batch.current !== fileId) {
      throw new StorageError('file-changed', 'The file was replaced or deleted while it was being read', { id, entity: file.row.entity });
    }
    const opened = batch.values.map((value, j) => (value === undefined ? undefined : openChunk(file, indices[j]!, value)));
    for (const p of opened) p?.catch(() => undefined); // consumed in order below
    for (let j = 0; j < indices.length; j++) {
      const index = indices[j]!;
      const p = opened[j];
      if (p === undefined) {
        throw index === final
          ? fail('truncated', 'File ends before its final segment', file, index)
          : fail('integrity-check-failed', 'A file segment is missing', file, index, 'missing-segment');
      }
      const plain = await p;
      if (index === final) {
        if (batch.extra > 0) throw fail('extra-data', 'File has data after its final segment', file, index);
        if (final * SEGMENT_SIZE + plain.length !== file.row.size) {
          throw fail('integrity-check-failed', 'File size does not match its contents', file, index, 'size-mismatch');
        }
        rememberSize(env, fileId, file.row.size);
      }
      yield plain;
    }
  }
}

/** The size after verifying the final segment (crypto.md §3.6 read rule 5). */
export async function verifiedSize(env: FileEnv, file: OpenedFile): Promise<number> {
  const known = env.verifiedSizes.get(file.row.fileId);
  if (known !== undefined) return known;
  for await (const _ of readSegments(env, file, file.segments - 1, file.segments - 1)) {
    // the generator verifies and records the size
  }
  return file.row.size;
}

/** A byte range `[start, end)` of a file. */
export interface ByteRange {
  start?: number;
  end?: number;
}

/**
 * Verified bytes of `range`, segment by segment. Only the segments the range covers are
 * decrypted; a range without an explicit end (end-relative) first verifies the final segment.
 */
export async function* readRange(env: FileEnv, file: OpenedFile, range: ByteRange): AsyncGenerator<Uint8Array> {
  const start = range.start ?? 0;
  if (start === 0 && range.end === undefined) {
    yield* readSegments(env, file, 0, file.segments - 1); // whole file: verified in order, final last
    return;
  }
  const size = range.end === undefined ? await verifiedSize(env, file) : file.row.size;
  const end = Math.min(range.end ?? size, size);
  if (start >= end) return;
  const first = Math.floor(start / SEGMENT_SIZE);
  const last = Math.floor((end - 1) / SEGMENT_SIZE);
  let index = first;
  for await (const plain of readSegments(env, file, first, last)) {
    const base = index * SEGMENT_SIZE;
    yield plain.subarray(Math.max(0, start - base), Math.min(plain.length, end - base));
    index++;
  }
}
