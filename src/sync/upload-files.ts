import type { Dexie } from 'dexie';
import { SyncError } from '../core/errors.js';
import { PROTOCOL_VERSION } from '../core/sync-protocol.js';
import type { FileEnv } from '../files/file-env.js';
import { openStoredFile, readRange, type OpenedFile } from '../files/read-file.js';
import { dirtyFiles, updateFileSync, type FileSyncRow } from './file-bookkeeping.js';
import { fileRoute, maxFileSizeOf, type FileCommitResult, type FileLimits, type FileUploadState } from './file-protocol.js';
import type { FileTransport } from './file-transport.js';
import { checkAborted } from './transport.js';

/** Dependencies of `uploadFiles`. */
export interface UploadFilesContext {
  db: Dexie;
  env: FileEnv;
  transport: FileTransport;
  limits: FileLimits;
  signal?: AbortSignal | undefined;
  /** Whether this sync uploads the object (selective sync). */
  include(entity: string, id: string): boolean;
  progress?(done: number, total: number): void;
}

async function readBytes(env: FileEnv, file: OpenedFile, start: number, end: number): Promise<Uint8Array> {
  const out = new Uint8Array(end - start);
  let at = 0;
  for await (const part of readRange(env, file, { start, end })) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** The state of the recorded upload if it is of this file version and still open, else a new upload. */
async function startOrResume(ctx: UploadFilesContext, row: FileSyncRow, file: OpenedFile, contentType: string): Promise<FileUploadState> {
  const base = `${fileRoute(row.entity, row.id)}/uploads`;
  if (row.upload !== undefined && row.upload.fileId === file.row.fileId) {
    const response = await ctx.transport.send({ method: 'GET', path: `${base}/${encodeURIComponent(row.upload.uploadId)}`, signal: ctx.signal });
    if (response.ok) return (await response.json()) as FileUploadState;
    await response.body?.cancel().catch(() => undefined);
    // 404: the server dropped it (or another user's id): start over.
  }
  const state = await ctx.transport.json<FileUploadState>({
    method: 'POST',
    path: base,
    body: { protocol: PROTOCOL_VERSION, size: file.row.size, contentType },
    signal: ctx.signal,
  });
  await updateFileSync(ctx.db, row.id, (r) => (r === undefined ? undefined : { ...r, upload: { uploadId: state.uploadId, fileId: file.row.fileId } }));
  return state;
}

/**
 * Uploads every changed local file before the objects (Mendix order). Checklist:
 * - a file over the server's limit for its entity fails the sync before any byte is sent
 *   (`SyncError('file-too-large')`), as any failed file upload aborts the sync (Mendix);
 * - the upload id is recorded with the local file version it uploads, so a later sync resumes it
 *   and sends only the chunks the server lacks; a newer local version starts a new upload;
 * - the dirty mark is cleared only if no `put` happened since this upload read it (token check in
 *   one transaction), so a write during the upload is uploaded by the next sync;
 * - a file deleted locally meanwhile just loses its mark.
 */
export async function uploadFiles(ctx: UploadFilesContext, contentTypeOf: (file: OpenedFile) => Promise<string>): Promise<number> {
  const rows = (await dirtyFiles(ctx.db)).filter((r) => ctx.include(r.entity, r.id));
  const files: { row: FileSyncRow; file: OpenedFile | undefined }[] = [];
  for (const row of rows) {
    const file = await openStoredFile(ctx.env, row.id);
    const limit = maxFileSizeOf(ctx.limits, row.entity);
    if (file !== undefined && file.row.size > limit) {
      throw new SyncError('file-too-large', `${row.entity}: the server accepts files of at most ${limit} bytes`, { entity: row.entity, id: row.id, size: file.row.size, limit });
    }
    files.push({ row, file });
  }
  let done = 0;
  for (const { row, file } of files) {
    checkAborted(ctx.signal);
    const token = row.dirty;
    if (file === undefined) {
      await updateFileSync(ctx.db, row.id, (r) => (r?.dirty === token ? { ...r, dirty: undefined, upload: undefined } as FileSyncRow : undefined));
      continue;
    }
    const state = await startOrResume(ctx, row, file, await contentTypeOf(file));
    let version = state.version;
    if (version === undefined) {
      const have = new Set(state.received);
      for (let i = 0; i < state.chunkCount; i++) {
        if (have.has(i)) continue;
        checkAborted(ctx.signal);
        const start = i * state.chunkSize;
        const bytes = await readBytes(ctx.env, file, start, Math.min(file.row.size, start + state.chunkSize));
        await ctx.transport.json({ method: 'PUT', path: `${fileRoute(row.entity, row.id)}/uploads/${encodeURIComponent(state.uploadId)}/${i}`, body: bytes, signal: ctx.signal });
      }
      const commit = await ctx.transport.json<FileCommitResult>({
        method: 'POST',
        path: `${fileRoute(row.entity, row.id)}/uploads/${encodeURIComponent(state.uploadId)}/commit`,
        body: { protocol: PROTOCOL_VERSION },
        signal: ctx.signal,
      });
      version = commit.version;
    }
    await updateFileSync(ctx.db, row.id, (r) => {
      if (r === undefined) return undefined;
      const { upload: _u, dirty: _d, ...rest } = r;
      return r.dirty === token ? { ...rest, local: version, fresh: true } : { ...rest, ...(r.dirty === undefined ? {} : { dirty: r.dirty }) };
    });
    done++;
    ctx.progress?.(done, files.length);
  }
  return done;
}
