import type { Dexie } from 'dexie';
import { SyncError } from '../core/errors.js';
import type { FileEnv } from '../files/file-env.js';
import { writeFile } from '../files/write-file.js';
import { VERSIONS_STORE } from '../store/vault-database.js';
import { fileSyncKey, fileSyncTable, newFileSyncRow, updateFileSync } from './file-bookkeeping.js';
import { fileRoute } from './file-protocol.js';
import { responseError, type FileTransport } from './file-transport.js';

/** What fetching one file did. */
export type FetchOutcome = 'downloaded' | 'unchanged' | 'no-content' | 'not-readable' | 'local-change';

/** Thrown inside the commit transaction when a local `put` got there first (it wins). */
class LocalChangeWins extends Error {}

/** Errors the body with `file-truncated` unless exactly `expected` bytes pass. */
function exactly(expected: number, path: string): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > expected) controller.error(new SyncError('bad-response', 'The server sent more file bytes than announced', { path }));
      else controller.enqueue(chunk);
    },
    flush(controller) {
      if (seen !== expected) controller.error(new SyncError('file-truncated', 'The file download ended early', { path, expected, received: seen }));
    },
  });
}

/**
 * Fetches object `id`'s contents if the server has another version than the local copy, and
 * stores them through the file store (encrypted when file encryption is on). Checklist:
 * - `If-None-Match` carries the local content version: unchanged contents are not sent again;
 * - the bytes go straight from the response into the segment writer (bounded memory) and are
 *   committed with the new content version in one transaction, or not at all;
 * - a local change not yet uploaded wins: the commit aborts when the row is dirty;
 * - an object the user may not read (404 `not-found`) stores nothing.
 */
export async function fetchFile(
  deps: { db: Dexie; env: FileEnv; transport: FileTransport; encrypt: boolean; signal?: AbortSignal | undefined },
  entity: string,
  id: string,
): Promise<FetchOutcome> {
  const { db } = deps;
  const row = await fileSyncTable(db).get(fileSyncKey(id));
  if (row?.dirty !== undefined) return 'local-change';
  const hasLocal = (await db.table('_files').get(id)) !== undefined;
  const path = fileRoute(entity, id);
  const headers: Record<string, string> = hasLocal && row?.local !== undefined ? { 'if-none-match': `"${row.local}"` } : {};
  const response = await deps.transport.send({ method: 'GET', path, headers, signal: deps.signal });
  const settle = (local: string | undefined | null) =>
    updateFileSync(db, id, (r) => {
      if (r?.dirty !== undefined) return undefined;
      const base = r ?? newFileSyncRow(entity, id);
      if (local === null) return { ...base, fresh: true };
      const { local: _old, ...rest } = base;
      return local === undefined ? { ...rest, fresh: true } : { ...rest, local, fresh: true };
    });
  if (response.status === 304) {
    await settle(null);
    return 'unchanged';
  }
  if (!response.ok) {
    const error = await responseError(response, path);
    if (error.code === 'not-found') return 'not-readable';
    if (error.code === 'no-file-content') {
      await settle(undefined);
      return 'no-content';
    }
    throw error;
  }
  const version = response.headers.get('x-content-version') ?? response.headers.get('etag')?.replace(/"/g, '');
  const size = Number(response.headers.get('x-file-size') ?? response.headers.get('content-length'));
  if (version === undefined || version === null || version === '' || !Number.isSafeInteger(size) || response.body === null) {
    throw new SyncError('bad-response', 'The file response lacks its content version or size', { path });
  }
  try {
    await writeFile(deps.env, {
      entity,
      id,
      source: response.body.pipeThrough(exactly(size, path)),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      encrypt: deps.encrypt,
      maxSize: size,
      alsoInCommit: {
        stores: [VERSIONS_STORE],
        async run() {
          const t = fileSyncTable(db);
          const current = await t.get(fileSyncKey(id));
          if (current?.dirty !== undefined) throw new LocalChangeWins();
          await t.put({ ...(current ?? newFileSyncRow(entity, id)), local: version, fresh: true });
        },
      },
    });
  } catch (error) {
    if (error instanceof LocalChangeWins || (error as { cause?: unknown }).cause instanceof LocalChangeWins) return 'local-change';
    throw error;
  }
  return 'downloaded';
}
