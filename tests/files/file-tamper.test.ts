import { afterEach, describe, expect, it, vi } from 'vitest';
import { IntegrityError } from '../../src/core/errors.js';
import type { Vault } from '../../src/store/index.js';
import { byteDiff, concatBytes, drain, openFilesVault, randomBytes, raw, S } from './file-fixture.js';

let vault: Vault | undefined;
afterEach(() => {
  vault?.close();
  vi.restoreAllMocks();
});

type Idb = Awaited<ReturnType<typeof openFilesVault>>['indexedDB'];
const CHUNKS = '_fileChunks';

async function setup(n: number, ids = ['a']): Promise<{ idb: Idb; data: Map<string, Uint8Array<ArrayBuffer>>; fileId: (id: string) => Promise<string> }> {
  const opened = await openFilesVault();
  vault = opened.vault;
  const data = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const id of ids) {
    data.set(id, randomBytes(n));
    await vault.files.put('Docs.Photo', id, new Blob([data.get(id)!]));
  }
  return { idb: opened.indexedDB, data, fileId: async (id) => (await raw.get(opened.indexedDB, '_files', id)).fileId };
}

/** Every way of reading the whole file must fail with one of `codes`; returns the stream's error code. */
async function expectEveryReadFails(id: string, codes: readonly string[]): Promise<void> {
  const viaGet = await vault!.files.get(id).catch((e: unknown) => e);
  expect(viaGet).toBeInstanceOf(IntegrityError);
  expect(codes).toContain((viaGet as IntegrityError).code);
  const { error } = await drain(await vault!.files.stream(id));
  expect(error).toBeInstanceOf(IntegrityError);
  expect(codes).toContain((error as IntegrityError).code);
}

const THREE_AND_A_HALF = 3 * S + S / 2;

describe('file truncation (P18)', () => {
  it('deleting the final segment gives truncated, however the size is read', async () => {
    const { idb, fileId } = await setup(THREE_AND_A_HALF);
    await raw.delete(idb, CHUNKS, [await fileId('a'), 3]);
    await expectEveryReadFails('a', ['truncated']);
    await expect(vault!.files.size('a')).rejects.toMatchObject({ code: 'truncated' });
  });

  it('deleting the final segment and shrinking the stored size still gives truncated', async () => {
    const { idb, fileId } = await setup(THREE_AND_A_HALF);
    await raw.delete(idb, CHUNKS, [await fileId('a'), 3]);
    const row = await raw.get(idb, '_files', 'a');
    await raw.put(idb, '_files', { ...row, size: 3 * S });
    await expectEveryReadFails('a', ['truncated']);
  });

  it.each([0, 1, 2])('deleting middle segment %i is an integrity error and reading to EOF never succeeds', async (k) => {
    const { idb, fileId } = await setup(THREE_AND_A_HALF);
    await raw.delete(idb, CHUNKS, [await fileId('a'), k]);
    await expectEveryReadFails('a', ['integrity-check-failed', 'truncated']);
  });
});

describe('file reordering, duplication and extension (P19)', () => {
  it('swapping segments 0 and 1 fails, also for a range read of either segment alone', async () => {
    const { idb, fileId } = await setup(THREE_AND_A_HALF);
    const f = await fileId('a');
    const [s0, s1] = [await raw.get(idb, CHUNKS, [f, 0]), await raw.get(idb, CHUNKS, [f, 1])];
    await raw.put(idb, CHUNKS, s1, [f, 0]);
    await raw.put(idb, CHUNKS, s0, [f, 1]);
    await expectEveryReadFails('a', ['integrity-check-failed']);
    for (const start of [0, S]) {
      const { chunks, error } = await drain(await vault!.files.stream('a', { start, end: start + 10 }));
      expect(chunks).toEqual([]);
      expect(error).toMatchObject({ code: 'integrity-check-failed' });
    }
  });

  it('copying segment 1 over segment 2 fails', async () => {
    const { idb, fileId } = await setup(THREE_AND_A_HALF);
    const f = await fileId('a');
    await raw.put(idb, CHUNKS, await raw.get(idb, CHUNKS, [f, 1]), [f, 2]);
    await expectEveryReadFails('a', ['integrity-check-failed']);
  });

  it.each([
    ['a copy of the final segment', (f: string) => [f, 3] as const],
    ['a copy of segment 0', (f: string) => [f, 0] as const],
  ])('a record after the final segment (%s) gives extra-data', async (_, source) => {
    const { idb, fileId } = await setup(THREE_AND_A_HALF);
    const f = await fileId('a');
    await raw.put(idb, CHUNKS, await raw.get(idb, CHUNKS, [...source(f)]), [f, 4]);
    await expectEveryReadFails('a', ['extra-data']);
    await expect(vault!.files.size('a')).rejects.toMatchObject({ code: 'extra-data' });
  });

  it('growing the stored size over a real final segment gives extra-data, not bytes', async () => {
    const { idb } = await setup(THREE_AND_A_HALF);
    const row = await raw.get(idb, '_files', 'a');
    await raw.put(idb, '_files', { ...row, size: row.size + S });
    await expectEveryReadFails('a', ['extra-data', 'truncated']);
  });

  it('changing the stored size within the final segment is detected', async () => {
    const { idb } = await setup(THREE_AND_A_HALF);
    const row = await raw.get(idb, '_files', 'a');
    await raw.put(idb, '_files', { ...row, size: row.size - 1 });
    await expectEveryReadFails('a', ['integrity-check-failed']);
  });
});

describe('file splicing (P20)', () => {
  it.each([0, 1, 3])('segment %i of file A placed at the same index of file B (same file key) fails', async (i) => {
    const { idb, fileId } = await setup(THREE_AND_A_HALF, ['a', 'b']);
    const [fa, fb] = [await fileId('a'), await fileId('b')];
    await raw.put(idb, CHUNKS, await raw.get(idb, CHUNKS, [fa, i]), [fb, i]);
    await expectEveryReadFails('b', ['integrity-check-failed']);
    await expect(vault!.files.get('a')).resolves.toBeDefined();
  });

  it('the header of file A moved into the row of file B fails before any segment is read', async () => {
    const { idb } = await setup(S + 1, ['a', 'b']);
    const [ra, rb] = [await raw.get(idb, '_files', 'a'), await raw.get(idb, '_files', 'b')];
    await raw.put(idb, '_files', { ...rb, header: ra.header, meta: ra.meta });
    await expect(vault!.files.get('b')).rejects.toMatchObject({ code: 'integrity-check-failed', details: { rule: 'file-id' } });
  });
});

describe('file header tampering (P19, P40)', () => {
  it('a changed noncePrefix makes every segment fail', async () => {
    const { idb } = await setup(THREE_AND_A_HALF);
    const row = await raw.get(idb, '_files', 'a');
    const header = row.header.slice();
    header[22] ^= 0x01; // inside noncePrefix (bytes 20..27)
    await raw.put(idb, '_files', { ...row, header });
    for (let i = 0; i < 4; i++) {
      const { chunks, error } = await drain(await vault!.files.stream('a', { start: i * S, end: i * S + 1 }));
      expect(chunks).toEqual([]);
      expect(error).toMatchObject({ code: 'integrity-check-failed', details: { index: i } });
    }
  });

  it.each([
    ['log2SegSize', 2, 17],
    ['fmt', 0, 9],
    ['suite', 1, 1],
    ['reserved', 3, 1],
  ])('a changed %s is rejected as unsupported-format before any key is used', async (_, at, value) => {
    const { idb } = await setup(S + 1);
    const row = await raw.get(idb, '_files', 'a');
    const header = row.header.slice();
    header[at] = value;
    await raw.put(idb, '_files', { ...row, header });
    const decrypt = vi.spyOn(crypto.subtle, 'decrypt');
    const unwrap = vi.spyOn(crypto.subtle, 'unwrapKey');
    await expect(vault!.files.get('a')).rejects.toMatchObject({ code: 'unsupported-format' });
    await expect(vault!.files.stream('a', { start: 0, end: 1 })).rejects.toMatchObject({ code: 'unsupported-format' });
    expect(decrypt).not.toHaveBeenCalled();
    expect(unwrap).not.toHaveBeenCalled();
  });

  it('a changed fileKeyId is key-not-found; a changed wrapped key fails the header check', async () => {
    const { idb } = await setup(10);
    const row = await raw.get(idb, '_files', 'a');
    const badKeyId = row.header.slice();
    badKeyId[30] ^= 0x04;
    await raw.put(idb, '_files', { ...row, header: badKeyId });
    await expect(vault!.files.get('a')).rejects.toMatchObject({ code: 'key-not-found' });
    const badWrap = row.header.slice();
    badWrap[60] ^= 0x80;
    await raw.put(idb, '_files', { ...row, header: badWrap });
    await expect(vault!.files.get('a')).rejects.toMatchObject({ code: 'integrity-check-failed' });
  });
});

describe('no unverified plaintext is released (P23)', () => {
  it('with segment 5 of 10 corrupted the consumer receives exactly segments 0-4, then the error', async () => {
    const { idb, data, fileId } = await setup(10 * S);
    const f = await fileId('a');
    const seg = await raw.get(idb, CHUNKS, [f, 5]);
    const c = seg.c.slice();
    c[100] ^= 0x01;
    await raw.put(idb, CHUNKS, { c }, [f, 5]);
    const { chunks, error } = await drain(await vault!.files.stream('a'));
    expect(byteDiff(concatBytes(chunks), data.get('a')!.subarray(0, 5 * S))).toBe('equal');
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: 'integrity-check-failed', details: { index: 5 } });
  });

  it('a corrupt final segment fails an end-relative read before any byte, while an explicit early range still reads', async () => {
    const { idb, data, fileId } = await setup(THREE_AND_A_HALF);
    const f = await fileId('a');
    const seg = await raw.get(idb, CHUNKS, [f, 3]);
    const c = seg.c.slice();
    c[0] ^= 0x01;
    await raw.put(idb, CHUNKS, { c }, [f, 3]);
    const tail = await drain(await vault!.files.stream('a', { start: 10 }));
    expect(tail.chunks).toEqual([]);
    expect(tail.error).toMatchObject({ code: 'integrity-check-failed', details: { index: 3 } });
    const head = await drain(await vault!.files.stream('a', { start: 10, end: 20 }));
    expect(head.error).toBeUndefined();
    expect(byteDiff(concatBytes(head.chunks), data.get('a')!.subarray(10, 20))).toBe('equal');
  });
});
