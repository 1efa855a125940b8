import { IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { openVaultFileReader } from '../../src/files/index.js';
import type { Vault } from '../../src/store/index.js';
import { serveVaultFile } from '../../sw/file-response.js';
import { createVaultReaders, type VaultReaders } from '../../sw/vault-readers.js';
import { byteDiff, openFilesVault, randomBytes, raw, S } from '../files/file-fixture.js';

const PREFIX = '/vault-files/';
const SIZE = 3 * S + 17;
const vaults: Vault[] = [];
afterEach(() => {
  for (const v of vaults.splice(0)) v.close();
});

async function setup(encrypted = true): Promise<{ vault: Vault; idb: IDBFactory; readers: VaultReaders; data: Uint8Array }> {
  const { vault, indexedDB } = await openFilesVault({ encryption: { database: encrypted, files: encrypted } });
  vaults.push(vault);
  const data = randomBytes(SIZE);
  await vault.files.put('Docs.Photo', 'p1', new Blob([data], { type: 'image/png' }));
  const readers = createVaultReaders((name) => openVaultFileReader(name, { indexedDB, IDBKeyRange }));
  return { vault, idb: indexedDB, readers, data };
}

const get = (readers: VaultReaders, path: string, headers: Record<string, string> = {}, method = 'GET') =>
  serveVaultFile(new Request(`https://app.test${path}`, { method, headers }), PREFIX, readers);

describe('the service worker file route', () => {
  it.each([true, false])('serves the whole file (encrypted: %s) with its type and length', async (encrypted) => {
    const { vault, readers, data } = await setup(encrypted);
    const res = await get(readers, vault.files.url('p1'));
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('image/png');
    expect(res.headers.get('Content-Length')).toBe(String(SIZE));
    expect(res.headers.get('Accept-Ranges')).toBe('bytes');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(byteDiff(new Uint8Array(await res.arrayBuffer()), data)).toBe('equal');
  });

  it.each<[string, number, number]>([
    ['bytes=70000-140000', 70000, 140001],
    ['bytes=65535-65536', 65535, 65537],
    ['bytes=196600-', 196600, SIZE],
    ['bytes=-17', SIZE - 17, SIZE],
    ['bytes=0-0', 0, 1],
  ])('answers %s with 206 and exactly those bytes', async (range, start, end) => {
    const { vault, readers, data } = await setup();
    const res = await get(readers, vault.files.url('p1'), { Range: range });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe(`bytes ${start}-${end - 1}/${SIZE}`);
    expect(res.headers.get('Content-Length')).toBe(String(end - start));
    expect(byteDiff(new Uint8Array(await res.arrayBuffer()), data.subarray(start, end))).toBe('equal');
  });

  it.each(['bytes=196625-', 'bytes=9-3', 'bytes=x-'])('answers %s with 416 and the size', async (range) => {
    const { vault, readers } = await setup();
    const res = await get(readers, vault.files.url('p1'), { Range: range });
    expect(res.status).toBe(416);
    expect(res.headers.get('Content-Range')).toBe(`bytes */${SIZE}`);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { vault, readers } = await setup();
    const res = await get(readers, vault.files.url('p1'), { Range: 'bytes=10-19' }, 'HEAD');
    expect([res.status, res.headers.get('Content-Length'), res.body]).toEqual([206, '10', null]);
  });

  it('answers 404 for an unknown object and for an unknown vault, without creating a database', async () => {
    const { vault, idb, readers } = await setup();
    expect((await get(readers, vault.files.url('nope'))).status).toBe(404);
    expect((await get(readers, `${PREFIX}no-such-vault/p1`)).status).toBe(404);
    expect((await idb.databases()).map((d) => d.name)).toEqual(['offline-vault/files']);
  });

  it('errors the body when a segment inside the range fails verification, releasing none of it', async () => {
    const { vault, idb, readers } = await setup();
    const { fileId } = await raw.get(idb, '_files', 'p1');
    const chunk = await raw.get(idb, '_fileChunks', [fileId, 1]);
    chunk.c[5] ^= 1;
    await raw.put(idb, '_fileChunks', chunk, [fileId, 1]);
    const res = await get(readers, vault.files.url('p1'), { Range: `bytes=${S}-${S + 99}` });
    expect(res.status).toBe(206);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it('serves the new contents after the file is overwritten', async () => {
    const { vault, readers } = await setup();
    expect((await get(readers, vault.files.url('p1'))).status).toBe(200);
    const next = randomBytes(100);
    await vault.files.put('Docs.Photo', 'p1', new Blob([next], { type: 'image/webp' }));
    const res = await get(readers, vault.files.url('p1'));
    expect(res.headers.get('Content-Type')).toBe('image/webp');
    expect(byteDiff(new Uint8Array(await res.arrayBuffer()), next)).toBe('equal');
  });

  it('does not block signOut: the worker connection closes, and the deleted vault is then 404', async () => {
    const { vault, idb, readers } = await setup();
    expect((await get(readers, vault.files.url('p1'))).status).toBe(200); // the worker holds a connection now
    await vault.signOut({ discardUnsynced: true });
    expect((await idb.databases()).map((d) => d.name)).toEqual([]);
    expect((await get(readers, vault.files.url('p1'))).status).toBe(404);
  });
});
