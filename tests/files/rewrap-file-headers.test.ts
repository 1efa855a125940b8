import { afterEach, describe, expect, it, vi } from 'vitest';
import { readU32 } from '../../src/crypto/index.js';
import { fileKeyIdsInUse, keyringFileKeySource, rewrapFileHeaders, type FileStore } from '../../src/files/index.js';
import { FILE_CHUNKS_STORE, FILES_STORE, KEYRING_STORE } from '../../src/store/vault-database.js';
import { blobBytes, byteDiff, randomBytes, S } from './file-fixture.js';
import { addFileKeyGeneration, closeKeyedVaults, deviceFileKeys, keyedVault, type KeyedVault } from './key-fixture.js';

afterEach(() => {
  vi.restoreAllMocks();
  closeKeyedVaults();
});

const SIZES: Record<string, number> = { a: 0, b: 1, c: S, d: 2 * S + 5, e: 100 };
const KEY_ID_AT = 27;

interface Snapshot {
  header: Uint8Array<ArrayBuffer>;
  fileId: string;
  chunks: unknown[];
}

async function seed(): Promise<{ v: KeyedVault; store: FileStore; data: Map<string, Uint8Array<ArrayBuffer>> }> {
  const v = await keyedVault();
  const store = v.store();
  const data = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const [id, n] of Object.entries(SIZES)) {
    data.set(id, randomBytes(n));
    await store.put('Docs.Report', id, new Blob([data.get(id)!], { type: `type/${id}` }));
  }
  return { v, store, data };
}

async function snapshot(v: KeyedVault, id: string): Promise<Snapshot> {
  const row = await v.db.table(FILES_STORE).get(id);
  const chunks = await v.db.table(FILE_CHUNKS_STORE).where(':id').between([row.fileId, 0], [row.fileId, Infinity]).toArray();
  return { header: row.header, fileId: row.fileId, chunks };
}

/** Every file reads back identically through a fresh store over the keyring. */
async function expectReadable(v: KeyedVault, data: Map<string, Uint8Array>): Promise<void> {
  const store = v.store(keyringFileKeySource(v.db));
  for (const [id, bytes] of data) {
    expect(byteDiff(await blobBytes(await store.get(id)), bytes), id).toBe('equal');
    expect((await store.info(id))?.contentType, id).toBe(`type/${id}`);
  }
}

describe('rewrapFileHeaders (file key rotation)', () => {
  it('re-wraps every header under the new key: files read identically, segments byte-identical', async () => {
    const { v, data } = await seed();
    const before = new Map(await Promise.all(Object.keys(SIZES).map(async (id) => [id, await snapshot(v, id)] as const)));
    const keys = await addFileKeyGeneration(v.db, v.dbId, 2);
    const progress: [number, number][] = [];
    const result = await rewrapFileHeaders(v.db, keys, { batchSize: 2, onProgress: (done, total) => progress.push([done, total]) });
    expect(result).toEqual({ rewrapped: 5, skipped: 0, failed: 0 });
    expect(progress.at(0)).toEqual([0, 5]);
    expect(progress.at(-1)).toEqual([5, 5]);
    for (const [id, old] of before) {
      const now = await snapshot(v, id);
      expect(readU32(now.header, KEY_ID_AT), id).toBe(2);
      expect(now.fileId).toBe(old.fileId);
      expect([...now.header.subarray(0, KEY_ID_AT)]).toEqual([...old.header.subarray(0, KEY_ID_AT)]); // fileId, nonce prefix
      expect([...now.header.subarray(KEY_ID_AT + 4)]).not.toEqual([...old.header.subarray(KEY_ID_AT + 4)]); // new IV and wrap
      expect(now.chunks).toEqual(old.chunks);
      const row = await v.db.table(FILES_STORE).get(id);
      expect([...row.headerHash]).toEqual([...new Uint8Array(await crypto.subtle.digest('SHA-256', old.header))]);
    }
    expect(await fileKeyIdsInUse(v.db)).toEqual(new Map([[2, 5]]));
    await expectReadable(v, data);
  });

  it('lets the old key be removed afterwards: files still read, also through a store that cached the old keys', async () => {
    const { v, store, data } = await seed();
    expect((await store.info('d'))?.size).toBe(SIZES['d']); // this store has now loaded (and cached) file:1 only
    const keys = await addFileKeyGeneration(v.db, v.dbId, 2);
    await rewrapFileHeaders(v.db, keys);
    expect((await fileKeyIdsInUse(v.db)).has(1)).toBe(false);
    await v.db.table(KEYRING_STORE).delete('file:1');
    await expectReadable(v, data);
    for (const [id, bytes] of data) expect(byteDiff(await blobBytes(await store.get(id)), bytes), id).toBe('equal');
  });

  it('survives a second rotation: the original header hash is kept, the files still read', async () => {
    const { v, data } = await seed();
    await rewrapFileHeaders(v.db, await addFileKeyGeneration(v.db, v.dbId, 2));
    const hash = [...(await v.db.table(FILES_STORE).get('d')).headerHash];
    expect(await rewrapFileHeaders(v.db, await addFileKeyGeneration(v.db, v.dbId, 3))).toMatchObject({ rewrapped: 5 });
    expect([...(await v.db.table(FILES_STORE).get('d')).headerHash]).toEqual(hash);
    expect(await fileKeyIdsInUse(v.db)).toEqual(new Map([[3, 5]]));
    await v.db.table(KEYRING_STORE).bulkDelete(['file:1', 'file:2']);
    await expectReadable(v, data);
  });

  it('is a no-op when rerun', async () => {
    const { v } = await seed();
    const keys = await addFileKeyGeneration(v.db, v.dbId, 2);
    await rewrapFileHeaders(v.db, keys);
    const headers = await v.db.table(FILES_STORE).toArray();
    expect(await rewrapFileHeaders(v.db, keys)).toEqual({ rewrapped: 0, skipped: 0, failed: 0 });
    expect(await v.db.table(FILES_STORE).toArray()).toEqual(headers);
  });

  it('resumes after an abort: the rerun does only what is left', async () => {
    const { v, data } = await seed();
    const keys = await addFileKeyGeneration(v.db, v.dbId, 2);
    const controller = new AbortController();
    const run = rewrapFileHeaders(v.db, keys, { batchSize: 2, signal: controller.signal, onProgress: (done) => done > 0 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const halfway = await fileKeyIdsInUse(v.db);
    expect(halfway).toEqual(new Map([[1, 3], [2, 2]]));
    expect(await rewrapFileHeaders(v.db, keys)).toEqual({ rewrapped: 3, skipped: 0, failed: 0 });
    expect(await fileKeyIdsInUse(v.db)).toEqual(new Map([[2, 5]]));
    await expectReadable(v, data);
  });

  it('skips a file that another writer replaced between the read and the write', async () => {
    const { v, store, data } = await seed();
    const keys = await addFileKeyGeneration(v.db, v.dbId, 2);
    const next = randomBytes(S + 9);
    const original = crypto.subtle.unwrapKey.bind(crypto.subtle);
    // The first FEK unwrap of the pass (file 'a', batch of one) lets a concurrent put replace 'a'.
    vi.spyOn(crypto.subtle, 'unwrapKey').mockImplementationOnce(async (...args: Parameters<SubtleCrypto['unwrapKey']>) => {
      await store.put('Docs.Report', 'a', new Blob([next], { type: 'type/a' }));
      return original(...args);
    });
    const replacedFileId = (await v.db.table(FILES_STORE).get('a')).fileId;
    expect(await rewrapFileHeaders(v.db, keys, { batchSize: 1 })).toEqual({ rewrapped: 4, skipped: 1, failed: 0 });
    const row = await v.db.table(FILES_STORE).get('a');
    expect(row.fileId).not.toBe(replacedFileId);
    expect(row.headerHash).toBeUndefined(); // the writer's own header, under the new primary
    expect(readU32(row.header, KEY_ID_AT)).toBe(2);
    data.set('a', next);
    await expectReadable(v, data);
  });

  it('leaves headers whose key it was not given (failed), and plain files, untouched', async () => {
    const { v, data } = await seed();
    await v.store(undefined, false).put('Docs.Report', 'plain', new Blob([randomBytes(10)]));
    await addFileKeyGeneration(v.db, v.dbId, 2);
    const full = await deviceFileKeys(v.db, v.dbId);
    const withoutOld = { ...full, all: new Map([[2, full.all.get(2)!]]) };
    const headers = await v.db.table(FILES_STORE).toArray();
    expect(await rewrapFileHeaders(v.db, withoutOld)).toEqual({ rewrapped: 0, skipped: 0, failed: 5 });
    expect(await v.db.table(FILES_STORE).toArray()).toEqual(headers);
    expect(await fileKeyIdsInUse(v.db)).toEqual(new Map([[1, 5]]));
    await expectReadable(v, data);
  });

  it('fails a header whose wrapped FEK was altered, and writes nothing for it', async () => {
    const { v } = await seed();
    const row = await v.db.table(FILES_STORE).get('c');
    row.header[60] ^= 1;
    await v.db.table(FILES_STORE).put(row);
    const keys = await addFileKeyGeneration(v.db, v.dbId, 2);
    expect(await rewrapFileHeaders(v.db, keys)).toEqual({ rewrapped: 4, skipped: 0, failed: 1 });
    expect(readU32((await v.db.table(FILES_STORE).get('c')).header, KEY_ID_AT)).toBe(1);
  });

  it('binds the kept header hash: an altered headerHash fails verification instead of reading', async () => {
    const { v } = await seed();
    await rewrapFileHeaders(v.db, await addFileKeyGeneration(v.db, v.dbId, 2));
    const row = await v.db.table(FILES_STORE).get('d');
    row.headerHash[0] ^= 1;
    await v.db.table(FILES_STORE).put(row);
    await expect(v.store(keyringFileKeySource(v.db)).get('d')).rejects.toMatchObject({ name: 'IntegrityError', code: 'integrity-check-failed' });
  });
});
