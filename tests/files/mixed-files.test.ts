import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { blobBytes, byteDiff, canaryBytes, containsBytes, openFilesVault, raw, S } from './file-fixture.js';

const vaults: Vault[] = [];
afterEach(() => {
  for (const v of vaults.splice(0)) v.close();
});

type Idb = Awaited<ReturnType<typeof openFilesVault>>['indexedDB'];

async function open(options: Parameters<typeof openFilesVault>[0] = {}): Promise<{ vault: Vault; indexedDB: Idb }> {
  const opened = await openFilesVault(options);
  vaults.push(opened.vault);
  return opened;
}

/** Whether any stored chunk of object `id` contains its 16-byte canary in plaintext. */
async function plaintextStored(idb: Idb, id: string, canary: Uint8Array): Promise<boolean> {
  const row = await raw.get(idb, '_files', id);
  const keys = ((await raw.keys(idb, '_fileChunks')) as [string, number][]).filter(([f, i]) => f === row.fileId && i >= 0);
  const chunks = await Promise.all(keys.map(async (k) => (await raw.get(idb, '_fileChunks', k)).c as Uint8Array));
  return chunks.some((c) => containsBytes(c, canary.subarray(0, 16)));
}

const contents = (i: number, n = 2 * S + 7 * i) => canaryBytes(n, `MIXED-CANARY-${String(i).padStart(3, '0')}`);

describe('mixed plain and encrypted files', () => {
  it('files written with encryption off are stored plainly in a self-describing format', async () => {
    const { vault, indexedDB } = await open({ encryption: { database: true, files: false } });
    expect(vault.files.encrypted).toBe(false);
    const data = contents(1);
    await vault.files.put('Docs.Photo', 'p1', new Blob([data], { type: 'image/gif' }));
    const row = await raw.get(indexedDB, '_files', 'p1');
    expect([...row.header.subarray(0, 4)]).toEqual([0x01, 0x00, 16, 0]); // fmt 1, suite 0 = plain
    expect(row.contentType).toBe('image/gif');
    expect(await plaintextStored(indexedDB, 'p1', data)).toBe(true);
    expect(await vault.files.info('p1')).toMatchObject({ encrypted: false, size: data.length, contentType: 'image/gif', version: 1 });
    expect(byteDiff(await blobBytes(await vault.files.get('p1')), data)).toBe('equal');
  });

  it('turning file encryption on encrypts new and overwritten files; old plain files stay readable', async () => {
    const first = await open({ encryption: { database: true, files: false } });
    const [a, b, c] = [contents(1), contents(2), contents(3)];
    await first.vault.files.put('Docs.Photo', 'a', new Blob([a]));
    await first.vault.files.put('Docs.Photo', 'b', new Blob([b]));
    first.vault.close();

    const { vault, indexedDB } = await open({ indexedDB: first.indexedDB }); // files default to database: true
    expect(vault.files.encrypted).toBe(true);
    await vault.files.put('Docs.Photo', 'c', new Blob([c]));
    const b2 = contents(4);
    await vault.files.put('Docs.Photo', 'b', new Blob([b2]));
    expect(await plaintextStored(indexedDB, 'a', a)).toBe(true);
    expect(await plaintextStored(indexedDB, 'b', b2)).toBe(false);
    expect(await plaintextStored(indexedDB, 'c', c)).toBe(false);
    expect((await vault.files.info('a'))?.encrypted).toBe(false);
    expect((await vault.files.info('b'))?.encrypted).toBe(true);
    expect(byteDiff(await blobBytes(await vault.files.get('a')), a)).toBe('equal');
    expect(byteDiff(await blobBytes(await vault.files.get('b')), b2)).toBe('equal');
    expect(byteDiff(await blobBytes(await vault.files.get('c')), c)).toBe('equal');
  });

  it('turning file encryption off keeps encrypted files readable and writes new files plainly', async () => {
    const first = await open();
    const a = contents(1);
    await first.vault.files.put('Docs.Report', 'a', new Blob([a], { type: 'text/csv' }));
    first.vault.close();
    const { vault, indexedDB } = await open({ indexedDB: first.indexedDB, encryption: { database: true, files: false } });
    const b = contents(2);
    await vault.files.put('Docs.Report', 'b', new Blob([b]));
    expect(await vault.files.info('a')).toMatchObject({ encrypted: true, contentType: 'text/csv' });
    expect(byteDiff(await blobBytes(await vault.files.get('a')), a)).toBe('equal');
    expect(await plaintextStored(indexedDB, 'b', b)).toBe(true);
  });

  it('an unencrypted database can encrypt its files: a file key is created on first use', async () => {
    const { vault, indexedDB } = await open({ encryption: { database: false, files: true } });
    expect(vault.encrypted).toBe(false);
    const a = contents(1);
    await vault.files.put('Docs.Photo', 'a', new Blob([a]));
    expect(await plaintextStored(indexedDB, 'a', a)).toBe(false);
    const keyring = await raw.all(indexedDB, '_keyring');
    expect(keyring.map((r) => r.name)).toEqual(['file:1']);
    expect(keyring[0].key.extractable).toBe(false);
    vault.close();
    const again = await open({ indexedDB, encryption: { database: false } });
    expect(byteDiff(await blobBytes(await again.vault.files.get('a')), a)).toBe('equal');
  });
});

describe('encryptExisting', () => {
  it('re-encrypts every plain file in place, byte-identical, resuming after an interruption', async () => {
    const plain = await open({ encryption: { database: true, files: false } });
    const ids = ['f1', 'f2', 'f3', 'f4', 'f5'];
    const data = new Map(ids.map((id, i) => [id, contents(i + 1, i * S + 11)]));
    for (const id of ids) await plain.vault.files.put('Docs.Report', id, new Blob([data.get(id)!], { type: `text/x-${id}` }));
    plain.vault.close();

    // Interrupted after two files (the page closes).
    const first = await open({ indexedDB: plain.indexedDB });
    const stop = new AbortController();
    const seen: { done: number; total: number }[] = [];
    const run = first.vault.files.encryptExisting({
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.done === 2) stop.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([{ done: 0, total: 5 }, { done: 1, total: 5 }, { done: 2, total: 5 }]);
    expect(await raw.get(plain.indexedDB, '_meta', 'files/encrypt-existing')).toEqual({ name: 'files/encrypt-existing', after: 'f2' });
    first.vault.close();

    // Reopened, it resumes after the cursor: only the three remaining files are left.
    const { vault, indexedDB } = await open({ indexedDB: plain.indexedDB });
    const resumed: { done: number; total: number }[] = [];
    expect(await vault.files.encryptExisting({ onProgress: (p) => resumed.push(p) })).toEqual({ encrypted: 3 });
    expect(resumed.at(0)).toEqual({ done: 0, total: 3 });
    expect(resumed.at(-1)).toEqual({ done: 3, total: 3 });
    expect(await raw.get(indexedDB, '_meta', 'files/encrypt-existing')).toBeUndefined();
    for (const id of ids) {
      expect(await vault.files.info(id)).toMatchObject({ encrypted: true, contentType: `text/x-${id}`, size: data.get(id)!.length, version: 2 });
      expect(await plaintextStored(indexedDB, id, data.get(id)!)).toBe(false);
      expect(byteDiff(await blobBytes(await vault.files.get(id)), data.get(id)!)).toBe('equal');
    }
    // Nothing of the plain versions is left.
    const fileIds = new Set((await raw.all(indexedDB, '_files')).map((r) => r.fileId));
    expect(((await raw.keys(indexedDB, '_fileChunks')) as [string][]).every(([f]) => fileIds.has(f))).toBe(true);
    expect(await vault.files.encryptExisting()).toEqual({ encrypted: 0 });
  });
});
