import { randomUUID } from 'node:crypto';
import type { AppDefinition } from '../app/index.js';
import { PROTOCOL_VERSION, type SyncUser } from '../core/sync-protocol.js';
import { chunkCountOf, maxFileSizeOf, type FileCommitResult, type FileLimits, type FileUploadState } from '../sync/file-protocol.js';
import type { AccessContext } from './access-sql.js';
import { nextSeq } from './ensure-schema.js';
import { fileRight, requireWrite } from './file-access.js';
import { streamFile } from './file-response.js';
import { installUpload, UPLOAD_CHUNKS_TABLE, UPLOADS_TABLE } from './file-tables.js';
import { HttpError, jsonResponse, readJsonBody, readBodyBytes } from './http-error.js';
import { checkEnvelope } from './parse-request.js';
import { updateRow } from './object-rows.js';
import { SqlBuilder, type SqlExecutor, type SyncStore } from './sync-store.js';

/** What the file routes need from the server. */
export interface FileRouteContext {
  readonly app: AppDefinition;
  readonly store: SyncStore;
  readonly limits: FileLimits;
  readonly maxBodyBytes: number;
  authenticate(request: Request): Promise<SyncUser>;
  accessContext(user: SyncUser): AccessContext;
  ready(): Promise<void>;
}

interface UploadRow {
  uploadId: string;
  userId: string;
  entity: string;
  objectId: string;
  size: number;
  contentType: string;
  chunkSize: number;
  chunkCount: number;
  version: number | null;
}

const allow = (request: Request, methods: string): void => {
  if (!methods.split(', ').includes(request.method)) throw new HttpError(405, 'method-not-allowed', `Use ${methods}`, undefined, { allow: methods });
};

function decode(part: string | undefined): string {
  try {
    const s = decodeURIComponent(part ?? '');
    if (s === '' || s.length > 200) throw new Error('bad');
    return s;
  } catch {
    throw new HttpError(404, 'route-not-found', 'No such route');
  }
}

async function loadUpload(tx: SqlExecutor, ctx: FileRouteContext, user: SyncUser, entity: string, id: string, uploadId: string): Promise<UploadRow> {
  const b = new SqlBuilder(ctx.store.dialect);
  const [r] = await tx.all(`SELECT * FROM ${UPLOADS_TABLE} WHERE upload_id = ${b.p(uploadId)}`, b.params);
  // Another user's upload is as unknown as a missing one.
  if (r === undefined || r['user_id'] !== user.id || r['entity'] !== entity || r['object_id'] !== id) {
    throw new HttpError(404, 'upload-not-found', 'No such upload', { entity });
  }
  return {
    uploadId,
    userId: String(r['user_id']),
    entity,
    objectId: id,
    size: Number(r['size']),
    contentType: String(r['content_type']),
    chunkSize: Number(r['chunk_size']),
    chunkCount: Number(r['chunk_count']),
    version: r['version'] === null || r['version'] === undefined ? null : Number(r['version']),
  };
}

async function received(tx: SqlExecutor, ctx: FileRouteContext, uploadId: string): Promise<number[]> {
  const b = new SqlBuilder(ctx.store.dialect);
  const rows = await tx.all(`SELECT idx FROM ${UPLOAD_CHUNKS_TABLE} WHERE upload_id = ${b.p(uploadId)} ORDER BY idx`, b.params);
  return rows.map((r) => Number(r['idx']));
}

function stateOf(u: UploadRow, have: number[]): FileUploadState {
  return {
    protocol: PROTOCOL_VERSION,
    uploadId: u.uploadId,
    size: u.size,
    chunkSize: u.chunkSize,
    chunkCount: u.chunkCount,
    received: have,
    ...(u.version === null ? {} : { version: String(u.version) }),
  };
}

/** Reads a raw chunk body of exactly `expected` bytes (415 / 413 / 400 otherwise). */
async function readChunkBody(request: Request, expected: number): Promise<Buffer> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/octet-stream\s*(;|$)/i.test(type)) throw new HttpError(415, 'unsupported-media-type', 'A chunk body must be application/octet-stream');
  const bytes = await readBodyBytes(request, expected, () => new HttpError(413, 'payload-too-large', `This chunk has ${expected} bytes`, { limit: expected }));
  if (bytes.length !== expected) {
    throw new HttpError(400, 'invalid-chunk', `This chunk has ${expected} bytes, not ${bytes.length}`, { expected, received: bytes.length });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Serves `/v1/files/...` (docs/protocol.md §7). Checklist:
 * - every route authenticates first and judges access on the stored object, per request;
 * - a file whose object the user may not read is answered 404, exactly like a missing one;
 * - uploads belong to their user; chunks are idempotent (a resend replaces the same bytes);
 * - commit re-checks access and every chunk inside one write transaction that takes the sequence
 *   counter first, so the content version is a sequence number in commit order; the object's own
 *   version moves with it, so every client sees the object changed and revalidates its copy;
 * - a committed upload answers a repeated commit with the same version (lost-response retries).
 */
export async function fileRoute(request: Request, path: string, ctx: FileRouteContext): Promise<Response> {
  const parts = path.slice('/v1/files/'.length).split('/');
  const entity = decode(parts[0]);
  const id = decode(parts[1]);
  const def = ctx.app.entities.get(entity);
  if (def === undefined) throw new HttpError(400, 'unknown-entity', 'Unknown entity', { entity: entity.slice(0, 200) });
  if (def.file === undefined) throw new HttpError(400, 'not-a-file-entity', `${entity} is not a file entity`, { entity });
  const user = await ctx.authenticate(request);
  await ctx.ready();
  const ac = ctx.accessContext(user);
  const dialect = ctx.store.dialect;
  const limit = maxFileSizeOf(ctx.limits, entity);

  if (parts.length === 2) {
    allow(request, 'GET, HEAD');
    return streamFile(request, { store: ctx.store, ac, entity, id });
  }
  if (parts[2] !== 'uploads' || parts.length > 5) throw new HttpError(404, 'route-not-found', 'No such route');

  if (parts.length === 3) {
    allow(request, 'POST');
    const body = checkEnvelope(await readJsonBody(request, ctx.maxBodyBytes));
    const size = body['size'];
    const contentType = body['contentType'];
    if (!Number.isSafeInteger(size) || (size as number) < 0) throw new HttpError(400, 'invalid-request', 'size: must be a non-negative integer', { path: 'size' });
    if (typeof contentType !== 'string' || contentType.length > 200 || !/^[\x20-\x7e]*$/.test(contentType)) {
      throw new HttpError(400, 'invalid-request', 'contentType: must be a printable string of at most 200 characters', { path: 'contentType' });
    }
    if ((size as number) > limit) throw new HttpError(413, 'file-too-large', `${entity}: a file holds at most ${limit} bytes`, { entity, limit, size });
    const state = await ctx.store.transaction('write', async (tx) => {
      requireWrite(await fileRight(tx, ac, entity, id), entity);
      const u: UploadRow = {
        uploadId: randomUUID(),
        userId: user.id,
        entity,
        objectId: id,
        size: size as number,
        contentType,
        chunkSize: ctx.limits.chunkSize,
        chunkCount: chunkCountOf(size as number, ctx.limits.chunkSize),
        version: null,
      };
      const b = new SqlBuilder(dialect);
      await tx.run(
        `INSERT INTO ${UPLOADS_TABLE} (upload_id, user_id, entity, object_id, size, content_type, chunk_size, chunk_count, version, created_at) VALUES (` +
          `${b.list([u.uploadId, u.userId, entity, id, u.size, u.contentType, u.chunkSize, u.chunkCount, null, new Date().toISOString()])})`,
        b.params,
      );
      return stateOf(u, []);
    });
    return jsonResponse(201, state);
  }

  const uploadId = decode(parts[3]);
  if (parts.length === 4) {
    allow(request, 'GET');
    const state = await ctx.store.transaction('read', async (tx) => {
      const u = await loadUpload(tx, ctx, user, entity, id, uploadId);
      return stateOf(u, await received(tx, ctx, uploadId));
    });
    return jsonResponse(200, state);
  }

  if (parts[4] === 'commit') {
    allow(request, 'POST');
    checkEnvelope(await readJsonBody(request, ctx.maxBodyBytes));
    const result = await ctx.store.transaction('write', async (tx): Promise<FileCommitResult> => {
      const seq = await nextSeq(tx);
      const u = await loadUpload(tx, ctx, user, entity, id, uploadId);
      if (u.version !== null) return { protocol: PROTOCOL_VERSION, version: String(u.version), size: u.size };
      const have = await received(tx, ctx, uploadId);
      if (have.length !== u.chunkCount) {
        throw new HttpError(409, 'upload-incomplete', 'The upload is missing chunks', { entity, missing: u.chunkCount - have.length });
      }
      const right = await fileRight(tx, ac, entity, id);
      requireWrite(right, entity);
      await installUpload(tx, dialect, u, seq, right.kind === 'new' ? user.id : null);
      if (right.kind === 'existing') await updateRow(tx, dialect, entity, id, [], seq);
      return { protocol: PROTOCOL_VERSION, version: String(seq), size: u.size };
    });
    return jsonResponse(200, result);
  }

  allow(request, 'PUT');
  const index = Number(parts[4]);
  if (!/^\d{1,9}$/.test(parts[4] ?? '')) throw new HttpError(404, 'route-not-found', 'No such route');
  const u = await ctx.store.transaction('read', (tx) => loadUpload(tx, ctx, user, entity, id, uploadId));
  if (u.version !== null) throw new HttpError(409, 'upload-committed', 'The upload is already committed', { entity });
  if (index >= u.chunkCount) throw new HttpError(400, 'invalid-chunk', `Chunk index must be below ${u.chunkCount}`, { index, chunkCount: u.chunkCount });
  const expected = index === u.chunkCount - 1 ? u.size - index * u.chunkSize : u.chunkSize;
  const bytes = await readChunkBody(request, expected);
  await ctx.store.transaction('write', async (tx) => {
    const b = new SqlBuilder(dialect);
    await tx.run(
      `INSERT INTO ${UPLOAD_CHUNKS_TABLE} (upload_id, idx, data) VALUES (${b.p(uploadId)}, ${b.p(index)}, ${b.p(bytes)}) ` +
        'ON CONFLICT (upload_id, idx) DO UPDATE SET data = excluded.data',
      b.params,
    );
  });
  return jsonResponse(200, { protocol: PROTOCOL_VERSION, received: index });
}
