import type { AccessContext } from './access-sql.js';
import { fileRight } from './file-access.js';
import { readChunk, storedFiles, type StoredFile } from './file-tables.js';
import { HttpError } from './http-error.js';
import type { SyncStore } from './sync-store.js';

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range) as [start, end) within `size`; null: no Range; 'bad': 416. */
function parseRange(header: string | null, size: number): [number, number] | null | 'bad' {
  if (header === null) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return 'bad';
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'bad' : [Math.max(0, size - n), size];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size : Math.min(size, Number(m[2]) + 1);
  return start >= size || end <= start ? 'bad' : [start, end];
}

/** Streams `[start, end)` of one content version, one stored chunk per pull (memory: one chunk). */
function chunkStream(store: SyncStore, entity: string, id: string, file: StoredFile, start: number, end: number): ReadableStream<Uint8Array> {
  let at = start;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (at >= end) return controller.close();
      const idx = Math.floor(at / file.chunkSize);
      const chunk = await store.transaction('read', (tx) => readChunk(tx, store.dialect, entity, id, file.version, idx));
      // A newer upload replaced this version while it was being sent: the client sees a short body.
      if (chunk === undefined) return controller.error(new Error('file version replaced while streaming'));
      const from = at - idx * file.chunkSize;
      const to = Math.min(chunk.byteLength, end - idx * file.chunkSize);
      controller.enqueue(new Uint8Array(chunk.subarray(from, to)));
      at += to - from;
    },
  });
}

/**
 * `GET /v1/files/<entity>/<id>`: the object's current contents, if the user may read the object.
 * `ETag` is the content version (`If-None-Match` gives 304), `Range` gives 206, never cached.
 */
export async function streamFile(request: Request, opts: { store: SyncStore; ac: AccessContext; entity: string; id: string }): Promise<Response> {
  const { store, ac, entity, id } = opts;
  const file = await store.transaction('read', async (tx) => {
    const right = await fileRight(tx, ac, entity, id);
    if (right.kind !== 'existing' || !right.read) throw new HttpError(404, 'not-found', `${entity}: no such object`, { entity });
    const found = (await storedFiles(tx, store.dialect, entity, [id])).get(id);
    if (found === undefined) throw new HttpError(404, 'no-file-content', `This ${entity} has no contents`, { entity });
    return found;
  });
  const etag = `"${file.version}"`;
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    etag,
    'accept-ranges': 'bytes',
    'x-content-version': String(file.version),
    'x-file-size': String(file.size),
  };
  const match = request.headers.get('if-none-match');
  if (match !== null && match.split(',').some((t) => t.trim() === etag)) return new Response(null, { status: 304, headers });
  headers['content-type'] = file.contentType;
  const range = parseRange(request.headers.get('range'), file.size);
  if (range === 'bad') {
    return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${file.size}` } });
  }
  const [start, end] = range ?? [0, file.size];
  headers['content-length'] = String(end - start);
  if (range !== null) headers['content-range'] = `bytes ${start}-${end - 1}/${file.size}`;
  const status = range === null ? 200 : 206;
  if (request.method === 'HEAD' || end === start) return new Response(request.method === 'HEAD' ? null : new Uint8Array(0), { status, headers });
  return new Response(chunkStream(store, entity, id, file, start, end), { status, headers });
}
