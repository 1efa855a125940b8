import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import { OfflineError, SyncError } from '../../src/core/errors.js';
import { createSyncServer, type Listener } from '../../src/server/index.js';
import { openVault, type Vault } from '../../src/store/index.js';
import { openBackendStore, syncBackends } from './backends.js';

const filesApp = defineApp({
  roles: ['Sales', 'Manager', 'Auditor'],
  entities: {
    'Sales.Photo': { file: 'image', attributes: { Caption: 'string', Owner: 'string' } },
    'Sales.Doc': { file: 'file', attributes: { Title: 'string' } },
  },
  accessRules: {
    'Sales.Photo': [
      { roles: ['Sales'], create: true, members: { Caption: 'readwrite', Owner: 'readwrite' }, xpath: "[Owner = '[%CurrentUser%]']" },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
      { roles: ['Auditor'], members: { Caption: 'read', Owner: 'read' } },
    ],
    'Sales.Doc': [
      { roles: ['Sales', 'Auditor'], members: { Title: 'read' } },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
    ],
  },
  syncProfile: { 'Sales.Doc': { mode: 'all', files: 'eager' } },
});

const USERS: Record<string, { id: string; roles: string[] }> = {
  't-alice': { id: 'alice', roles: ['Sales'] },
  't-bob': { id: 'bob', roles: ['Sales'] },
  't-admin': { id: 'admin', roles: ['Manager'] },
  't-aud': { id: 'aud', roles: ['Auditor'] },
};
const CHUNK = 64 * 1024;
const PHOTO_LIMIT = 300_000;

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function blobBytes(blob: Blob | undefined): Promise<Uint8Array> {
  if (blob === undefined) throw new Error('no file');
  return new Uint8Array(await blob.arrayBuffer());
}

/** Every request a vault sent (method, path, status), plus a switch to fail some of them. */
function recordingFetch() {
  const log: { method: string; path: string; status: number }[] = [];
  const state = { fail: undefined as ((method: string, path: string) => boolean) | undefined };
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    if (state.fail?.(method, url.pathname) === true) {
      log.push({ method, path: url.pathname, status: -1 });
      throw new TypeError('fetch failed (dropped by the test)');
    }
    const response = await fetch(input, init);
    log.push({ method, path: url.pathname, status: response.status });
    return response;
  };
  return { log, state, fetchFn };
}

describe.each(await syncBackends())('file sync over HTTP (%s)', (backend) => {
  let listener: Listener;
  let drop: () => Promise<void>;
  let close: () => Promise<void>;
  let url = '';
  let n = 0;

  beforeAll(async () => {
    const opened = openBackendStore(backend);
    drop = opened.drop;
    const server = createSyncServer({
      app: filesApp,
      store: opened.store,
      authenticate: async (r) => USERS[r.headers.get('authorization')?.replace(/^Bearer /, '') ?? ''] ?? null,
      files: { chunkSize: CHUNK, maxFileSize: { 'Sales.Photo': PHOTO_LIMIT } },
    });
    listener = await server.listen(0);
    url = listener.url;
    close = () => opened.store.close();
  });
  afterAll(async () => {
    await listener.close();
    await close();
    await drop();
  });

  async function open(token: string, fetchFn?: typeof fetch): Promise<Vault> {
    return openVault({
      name: `files-${n++}`,
      app: filesApp,
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      requestPersistence: false,
      sync: { url, token, retry: { attempts: 2, baseDelayMs: 1 }, ...(fetchFn === undefined ? {} : { fetch: fetchFn }) },
    });
  }
  const raw = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  const serverBytes = async (entity: string, id: string, token = 't-admin') => {
    const r = await raw(`/v1/files/${entity}/${id}`, token);
    expect(r.status).toBe(200);
    return new Uint8Array(await r.arrayBuffer());
  };
  /** A photo owned by `owner`, with contents, created through an admin vault. */
  async function serverPhoto(owner: string, content: Uint8Array, entity = 'Sales.Photo'): Promise<{ id: string; admin: Vault }> {
    const admin = await open('t-admin');
    const id = crypto.randomUUID();
    await admin.table(entity).put(entity === 'Sales.Photo' ? { id, Caption: 'c', Owner: owner } : { id, Title: 't' });
    await admin.files.put(entity, id, new Blob([content as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    await admin.sync();
    return { id, admin };
  }

  it('uploads a photo put offline before its object, and the server holds the same bytes', async () => {
    const rec = recordingFetch();
    const vault = await open('t-alice', rec.fetchFn);
    const id = crypto.randomUUID();
    const content = bytes(200_000, 1);
    await vault.table('Sales.Photo').put({ id, Caption: 'shop front', Owner: 'alice' });
    await vault.files.put('Sales.Photo', id, new Blob([content as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    const result = await vault.sync();
    expect(result).toMatchObject({ uploaded: 1, rejected: 0, filesUploaded: 1 });
    const commitAt = rec.log.findIndex((r) => r.method === 'POST' && r.path.endsWith('/commit'));
    const objectsAt = rec.log.findIndex((r) => r.path === '/v1/upload');
    expect(commitAt).toBeGreaterThan(-1);
    expect(commitAt).toBeLessThan(objectsAt);
    expect(await serverBytes('Sales.Photo', id)).toEqual(content);
    const served = await raw(`/v1/files/Sales.Photo/${id}`, 't-admin');
    expect(served.headers.get('content-type')).toBe('image/png');
    await served.body?.cancel();
    // Uploaded once: the next sync sends no file again.
    rec.log.length = 0;
    expect((await vault.sync()).filesUploaded).toBe(0);
    expect(rec.log.filter((r) => r.path.includes('/uploads'))).toEqual([]);
    vault.close();
  });

  it('resumes an interrupted upload and sends only the chunks the server lacks', async () => {
    const rec = recordingFetch();
    const vault = await open('t-alice', rec.fetchFn);
    const id = crypto.randomUUID();
    const content = bytes(4 * CHUNK - 1000, 2); // 4 chunks
    await vault.table('Sales.Photo').put({ id, Caption: 'x', Owner: 'alice' });
    await vault.files.put('Sales.Photo', id, new Blob([content as Uint8Array<ArrayBuffer>]));
    rec.state.fail = (method, path) => method === 'PUT' && path.endsWith('/2');
    await expect(vault.sync()).rejects.toMatchObject({ code: 'network' });
    expect(rec.log.some((r) => r.path === '/v1/upload')).toBe(false); // the objects wait for their files
    const sent = (from: number) => rec.log.slice(from).filter((r) => r.method === 'PUT' && r.status === 200).map((r) => Number(r.path.split('/').pop()));
    expect(sent(0)).toEqual([0, 1]);
    rec.state.fail = undefined;
    const mark = rec.log.length;
    await vault.sync();
    expect(sent(mark)).toEqual([2, 3]);
    expect(await serverBytes('Sales.Photo', id)).toEqual(content);
    vault.close();
  });

  it('downloads lazily on first access, not again while unchanged, and again after a server-side change', async () => {
    const first = bytes(150_000, 3);
    const { id, admin } = await serverPhoto('alice', first);
    const rec = recordingFetch();
    const vault = await open('t-alice', rec.fetchFn);
    await vault.sync();
    expect(await vault.files.has(id)).toBe(false); // lazy: nothing downloaded by the sync
    const gets = () => rec.log.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/files/')).map((r) => r.status);
    expect(await blobBytes(await vault.files.get(id))).toEqual(first);
    expect(await blobBytes(await vault.files.get(id))).toEqual(first);
    expect(gets()).toEqual([200]);
    // The object changes, its contents do not: revalidated (304), not downloaded again.
    await admin.table('Sales.Photo').update(id, { Caption: 'renamed' });
    await admin.sync();
    await vault.sync();
    expect(await blobBytes(await vault.files.get(id))).toEqual(first);
    expect(gets()).toEqual([200, 304]);
    // New contents on the server: downloaded again on the next access.
    const second = bytes(70_000, 4);
    await admin.files.put('Sales.Photo', id, new Blob([second as Uint8Array<ArrayBuffer>]));
    await admin.sync();
    await vault.sync();
    const stream = await vault.files.stream(id);
    expect(await blobBytes(await new Response(stream).blob())).toEqual(second);
    expect(gets()).toEqual([200, 304, 200]);
    expect((await vault.files.info(id))?.encrypted).toBe(true);
    vault.close();
    admin.close();
  });

  it('downloads the files of an eager entity during sync, and prefetch downloads a lazy entity', async () => {
    const doc = bytes(10_000, 5);
    const { id: docId, admin } = await serverPhoto('x', doc, 'Sales.Doc');
    const photo = bytes(5_000, 6);
    const { id: photoId } = await serverPhoto('alice', photo);
    const vault = await open('t-alice');
    const result = await vault.sync();
    expect(result.filesDownloaded).toBeGreaterThanOrEqual(1);
    expect(await vault.files.has(docId)).toBe(true);
    expect(await vault.files.has(photoId)).toBe(false);
    expect((await vault.files.prefetch('Sales.Photo')).downloaded).toBeGreaterThanOrEqual(1);
    expect(await vault.files.has(photoId)).toBe(true);
    expect(await blobBytes(await vault.files.get(docId))).toEqual(doc);
    vault.close();
    admin.close();
  });

  it('never sends a file to a user who may not read its object', async () => {
    const { id, admin } = await serverPhoto('alice', bytes(1_000, 7));
    expect((await raw(`/v1/files/Sales.Photo/${id}`, 't-bob')).status).toBe(404);
    expect((await raw(`/v1/files/Sales.Photo/${id}`, 't-bob', { method: 'HEAD' })).status).toBe(404);
    const rec = recordingFetch();
    const bob = await open('t-bob', rec.fetchFn);
    await bob.sync();
    expect(await bob.files.get(id)).toBeUndefined();
    expect(await bob.files.prefetch('Sales.Photo')).toEqual({ downloaded: 0 });
    expect(rec.log.filter((r) => r.path.startsWith('/v1/files/Sales.Photo/'))).toEqual([]);
    expect(await bob.files.has(id)).toBe(false);
    // Uploads: unreadable object 404, read-only 403, no create right 403.
    const start = (token: string, objectId: string) =>
      raw(`/v1/files/Sales.Photo/${objectId}/uploads`, token, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ protocol: 1, size: 10, contentType: 'image/png' }),
      });
    expect((await start('t-bob', id)).status).toBe(404);
    const readOnly = await start('t-aud', id);
    expect([readOnly.status, (await readOnly.json()).error.code]).toEqual([403, 'write-denied']);
    const noCreate = await start('t-aud', crypto.randomUUID());
    expect([noCreate.status, (await noCreate.json()).error.code]).toEqual([403, 'create-denied']);
    bob.close();
    admin.close();
  });

  it('does not let contents uploaded for an unknown id attach to an object another user creates', async () => {
    const id = crypto.randomUUID();
    const planted = await raw(`/v1/files/Sales.Photo/${id}/uploads`, 't-bob', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: 1, size: 3, contentType: 'text/plain' }),
    });
    const { uploadId } = await planted.json();
    await raw(`/v1/files/Sales.Photo/${id}/uploads/${uploadId}/0`, 't-bob', { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([1, 2, 3]) });
    expect((await raw(`/v1/files/Sales.Photo/${id}/uploads/${uploadId}/commit`, 't-bob', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"protocol":1}' })).status).toBe(200);
    const admin = await open('t-admin');
    await admin.table('Sales.Photo').put({ id, Caption: 'mine', Owner: 'admin' });
    await admin.sync();
    const r = await raw(`/v1/files/Sales.Photo/${id}`, 't-admin');
    expect([r.status, (await r.json()).error.code]).toEqual([404, 'no-file-content']);
    admin.close();
  });

  it('checks size limits on both sides with file-too-large', async () => {
    const rec = recordingFetch();
    const vault = await open('t-alice', rec.fetchFn);
    const id = crypto.randomUUID();
    await vault.table('Sales.Photo').put({ id, Caption: 'big', Owner: 'alice' });
    await vault.files.put('Sales.Photo', id, new Blob([bytes(PHOTO_LIMIT + 1, 8) as Uint8Array<ArrayBuffer>]));
    const error = await vault.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'file-too-large', details: { entity: 'Sales.Photo', limit: PHOTO_LIMIT } });
    expect(rec.log.filter((r) => r.path.includes('/v1/files/') || r.path === '/v1/upload')).toEqual([]);
    const direct = await raw(`/v1/files/Sales.Photo/${id}/uploads`, 't-alice', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: 1, size: PHOTO_LIMIT + 1, contentType: 'image/png' }),
    });
    expect([direct.status, (await direct.json()).error]).toEqual([413, expect.objectContaining({ code: 'file-too-large', details: expect.objectContaining({ limit: PHOTO_LIMIT }) })]);
    vault.close();
  });

  it('fails with file-not-available when a never-downloaded file is read without a server', async () => {
    const { id, admin } = await serverPhoto('alice', bytes(2_000, 9));
    const rec = recordingFetch();
    const vault = await open('t-alice', rec.fetchFn);
    await vault.sync();
    rec.state.fail = (_m, path) => path.startsWith('/v1/files/');
    const error = await vault.files.get(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect(error).toMatchObject({ code: 'file-not-available', details: { entity: 'Sales.Photo', id } });
    rec.state.fail = undefined;
    expect((await vault.files.get(id))?.size).toBe(2_000);
    // Once downloaded it stays readable offline.
    rec.state.fail = () => true;
    expect((await vault.files.get(id))?.size).toBe(2_000);
    vault.close();
    admin.close();
  });
});
