import { IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/core/errors.js';
import type { Vault } from '../../src/store/index.js';
import { openFilesVault, randomBytes, raw, S, blobBytes, byteDiff } from './file-fixture.js';

const vaults: Vault[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const v of vaults.splice(0)) v.close();
});

type Idb = Awaited<ReturnType<typeof openFilesVault>>['indexedDB'];

async function open(options: Parameters<typeof openFilesVault>[0] = {}): Promise<{ vault: Vault; indexedDB: Idb }> {
  const opened = await openFilesVault(options);
  vaults.push(opened.vault);
  return opened;
}

/** Makes the nth put of a segment into `_fileChunks` fail as a full disk does. */
function quotaOnNthSegmentWrite(n: number): void {
  const realPut = IDBObjectStore.prototype.put;
  let segmentWrites = 0;
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: any, key?: IDBValidKey) {
    if (this.name === '_fileChunks' && value?.c !== undefined && ++segmentWrites === n) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return realPut.call(this, value, key);
  });
}

/** A byte stream the test feeds by hand; it never ends unless `end()` is called. */
function manualStream(): { stream: ReadableStream<Uint8Array>; push(b: Uint8Array): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { stream, push: (b) => controller.enqueue(b), end: () => controller.close() };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
  expect(await check()).toBe(true);
}

const segmentKeys = async (idb: Idb) => ((await raw.keys(idb, '_fileChunks')) as [string, number][]).filter(([, i]) => i >= 0);

describe('interrupted file writes', () => {
  it.each([1, 17, 40])('a QuotaExceededError on segment write %i leaves no file, no chunks, and the old version intact', async (n) => {
    const { vault, indexedDB } = await open();
    const old = randomBytes(S + 3);
    await vault.files.put('Docs.Photo', 'p', new Blob([old]));
    const oldRow = await raw.get(indexedDB, '_files', 'p');
    quotaOnNthSegmentWrite(n);
    const error = await vault.files.put('Docs.Photo', 'p', new Blob([randomBytes(40 * S + 1)])).catch((e: unknown) => e);
    vi.restoreAllMocks();
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'quota-exceeded', details: { entity: 'Docs.Photo', id: 'p' } });
    expect(await raw.get(indexedDB, '_files', 'p')).toEqual(oldRow);
    const keys = (await raw.keys(indexedDB, '_fileChunks')) as [string, number][];
    expect(keys.every(([f]) => f === oldRow.fileId)).toBe(true);
    expect(byteDiff(await blobBytes(await vault.files.get('p')), old)).toBe('equal');
  });

  it('a quota error on a first write leaves nothing readable', async () => {
    const { vault, indexedDB } = await open();
    quotaOnNthSegmentWrite(3);
    await expect(vault.files.put('Docs.Photo', 'p', new Blob([randomBytes(5 * S)]))).rejects.toMatchObject({ code: 'quota-exceeded' });
    vi.restoreAllMocks();
    expect(await vault.files.has('p')).toBe(false);
    expect(await vault.files.get('p')).toBeUndefined();
    expect(await raw.keys(indexedDB, '_fileChunks')).toEqual([]);
  });

  it('a failing source stream leaves nothing behind', async () => {
    const { vault, indexedDB } = await open();
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error('network gone'));
      },
      start(c) {
        c.enqueue(randomBytes(20 * S));
      },
    });
    await expect(vault.files.put('Docs.Photo', 'p', source)).rejects.toBeDefined();
    expect(await raw.keys(indexedDB, '_fileChunks')).toEqual([]);
    expect(await vault.files.has('p')).toBe(false);
  });

  it('a crash mid-write (the page dies) leaves no readable file; its segments are collected on the next open', async () => {
    const first = await open();
    const feed = manualStream();
    void first.vault.files.put('Docs.Photo', 'p', feed.stream).catch(() => undefined);
    feed.push(randomBytes(40 * S)); // 2 full batches get written, the rest waits for more bytes
    await until(async () => (await segmentKeys(first.indexedDB)).length >= 32);
    first.vault.close(); // the page is gone: the write never commits
    expect(await raw.get(first.indexedDB, '_files', 'p')).toBeUndefined();

    // Another tab opening meanwhile keeps the segments: the write's lease is fresh.
    const other = await open({ indexedDB: first.indexedDB });
    expect(await other.vault.files.collectGarbage()).toBe(0);
    expect((await segmentKeys(first.indexedDB)).length).toBeGreaterThanOrEqual(32);
    expect(await other.vault.files.get('p')).toBeUndefined();
    other.vault.close();

    // Once the lease is stale, the next open collects them.
    const later = await open({ indexedDB: first.indexedDB, files: { staleWriteMs: 0 } });
    await later.vault.files.collectGarbage();
    expect(await raw.keys(first.indexedDB, '_fileChunks')).toEqual([]);
  });

  it('a write whose segments were collected under it fails at commit instead of committing a half-file', async () => {
    const writer = await open();
    const feed = manualStream();
    const put = writer.vault.files.put('Docs.Photo', 'p', feed.stream).catch((e: unknown) => e);
    feed.push(randomBytes(18 * S));
    await until(async () => (await segmentKeys(writer.indexedDB)).length >= 16);
    const collector = await open({ indexedDB: writer.indexedDB, files: { staleWriteMs: 0 } });
    await collector.vault.files.collectGarbage();
    feed.end();
    expect(await put).toMatchObject({ code: 'file-write-interrupted' });
    expect(await writer.vault.files.has('p')).toBe(false);
    expect(await raw.keys(writer.indexedDB, '_fileChunks')).toEqual([]);
  });

  it('collection never takes the segments of a committed file or of this instance\'s own running write', async () => {
    const { vault, indexedDB } = await open({ files: { staleWriteMs: 0 } });
    const kept = randomBytes(2 * S + 1);
    await vault.files.put('Docs.Photo', 'kept', new Blob([kept]));
    const feed = manualStream();
    const put = vault.files.put('Docs.Photo', 'p', feed.stream);
    const data = randomBytes(18 * S);
    feed.push(data);
    await until(async () => (await segmentKeys(indexedDB)).length >= 3 + 16);
    expect(await vault.files.collectGarbage()).toBe(0);
    feed.end();
    expect((await put).size).toBe(data.length);
    expect(byteDiff(await blobBytes(await vault.files.get('p')), data)).toBe('equal');
    expect(byteDiff(await blobBytes(await vault.files.get('kept')), kept)).toBe('equal');
  });
});
