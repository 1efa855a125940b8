import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import { createSyncServer, openSqliteStore } from '../../src/server/index.js';

const app = defineApp({
  roles: ['Manager'],
  entities: { 'Sales.Photo': { file: 'image', attributes: { Caption: 'string' } }, 'Sales.Note': { attributes: { Text: 'string' } } },
  accessRules: { 'Sales.Photo': [{ roles: ['Manager'], create: true, delete: true, members: '*' }], 'Sales.Note': [{ roles: ['Manager'], create: true, members: '*' }] },
});

async function setup() {
  const server = createSyncServer({ app, store: openSqliteStore(':memory:'), authenticate: async () => ({ id: 'm', roles: ['Manager'] }), files: { chunkSize: 4 } });
  const call = (path: string, init: RequestInit = {}) => server.handler(new Request(`http://x${path}`, { ...init, headers: { authorization: 'Bearer t', ...(init.headers as Record<string, string>) } }));
  const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, ...(body as object) }) });
  const id = crypto.randomUUID();
  await call('/v1/upload', json({ changes: [{ mutationId: 'm1', entity: 'Sales.Photo', id, op: 'create', values: { Caption: 'c' } }] }));
  const content = new TextEncoder().encode('0123456789');
  const start = await (await call(`/v1/files/Sales.Photo/${id}/uploads`, json({ size: content.length, contentType: 'text/plain' }))).json();
  const put = (i: number, bytes: Uint8Array) =>
    call(`/v1/files/Sales.Photo/${id}/uploads/${start.uploadId}/${i}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes as Uint8Array<ArrayBuffer> });
  return { call, json, id, content, start, put };
}

describe('file routes', () => {
  it('refuses chunks of the wrong size or index and commits only complete uploads', async () => {
    const { call, json, id, content, start, put } = await setup();
    expect(start).toMatchObject({ chunkSize: 4, chunkCount: 3, received: [] });
    expect((await put(0, content.subarray(0, 3))).status).toBe(400);
    expect((await put(3, content.subarray(0, 2))).status).toBe(400);
    await put(0, content.subarray(0, 4));
    await put(2, content.subarray(8));
    const commitPath = `/v1/files/Sales.Photo/${id}/uploads/${start.uploadId}/commit`;
    const early = await call(commitPath, json({}));
    expect([early.status, (await early.json()).error.code]).toEqual([409, 'upload-incomplete']);
    expect((await (await call(`/v1/files/Sales.Photo/${id}/uploads/${start.uploadId}`)).json()).received).toEqual([0, 2]);
    await put(1, content.subarray(4, 8));
    const done = await (await call(commitPath, json({}))).json();
    expect(await (await call(commitPath, json({}))).json()).toEqual(done); // a retried commit
    expect(new Uint8Array(await (await call(`/v1/files/Sales.Photo/${id}`)).arrayBuffer())).toEqual(content);
  });

  it('answers ranges, conditional requests and non-file entities', async () => {
    const { call, json, id, start, put, content } = await setup();
    for (let i = 0; i < 3; i++) await put(i, content.subarray(i * 4, i * 4 + 4));
    const { version } = await (await call(`/v1/files/Sales.Photo/${id}/uploads/${start.uploadId}/commit`, json({}))).json();
    const ranged = await call(`/v1/files/Sales.Photo/${id}`, { headers: { range: 'bytes=3-8' } });
    expect([ranged.status, ranged.headers.get('content-range'), await ranged.text()]).toEqual([206, 'bytes 3-8/10', '345678']);
    expect(await (await call(`/v1/files/Sales.Photo/${id}`, { headers: { range: 'bytes=-2' } })).text()).toBe('89');
    expect((await call(`/v1/files/Sales.Photo/${id}`, { headers: { range: 'bytes=10-' } })).status).toBe(416);
    const same = await call(`/v1/files/Sales.Photo/${id}`, { headers: { 'if-none-match': `"${version}"` } });
    expect(same.status).toBe(304);
    const plain = await call(`/v1/files/Sales.Photo/${id}`);
    expect([plain.headers.get('etag'), plain.headers.get('cache-control'), plain.headers.get('content-type')]).toEqual([`"${version}"`, 'no-store', 'text/plain']);
    const note = await call(`/v1/files/Sales.Note/${crypto.randomUUID()}`);
    expect([note.status, (await note.json()).error.code]).toEqual([400, 'not-a-file-entity']);
    const down = await (await call('/v1/download', json({ entities: { 'Sales.Photo': { checkpoint: null } } }))).json();
    expect(down.entities['Sales.Photo'].upserts[0].file).toEqual({ version, size: 10, contentType: 'text/plain' });
  });
});
