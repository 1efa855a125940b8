import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { byteDiff, concatBytes, drain, openFilesVault, randomBytes, S } from './file-fixture.js';
import { READ_BATCH } from '../../src/files/file-format.js';

const N = 3 * S + 17; // four segments, the last one 17 bytes
let vault: Vault;
const data = randomBytes(N);
let plainVault: Vault;

beforeAll(async () => {
  ({ vault } = await openFilesVault());
  await vault.files.put('Docs.Photo', 'f', new Blob([data]));
  await vault.files.put('Docs.Photo', 'big', new Blob([randomBytes(40 * S)]));
  ({ vault: plainVault } = await openFilesVault({ encryption: { database: false } }));
  await plainVault.files.put('Docs.Photo', 'f', new Blob([data]));
});
afterAll(() => {
  vault.close();
  plainVault.close();
});

async function read(v: Vault, range: { start?: number; end?: number }): Promise<Uint8Array> {
  const { chunks, error } = await drain(await v.files.stream('f', range));
  if (error !== undefined) throw error;
  return concatBytes(chunks);
}

/** How many segment decryptions `run` causes. */
async function decryptsDuring(run: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(crypto.subtle, 'decrypt');
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('range reads', () => {
  const offset = fc.integer({ min: 0, max: N + 100 });
  const boundary = fc.constantFrom(0, 1, S - 1, S, S + 1, 2 * S, 3 * S, 3 * S + 16, N - 1, N, N + 1);
  const point = fc.oneof(offset, boundary);

  it.each([
    ['encrypted', () => vault],
    ['plain', () => plainVault],
  ])('any [start, end) of a %s file equals slicing the plaintext', async (_, which) => {
    await fc.assert(
      fc.asyncProperty(fc.option(point, { nil: undefined }), fc.option(point, { nil: undefined }), async (start, end) => {
        const expected = data.slice(start ?? 0, end ?? N);
        expect(byteDiff(await read(which(), { start, end }), expected)).toBe('equal');
      }),
      { numRuns: 60 },
    );
  });

  it('rejects negative or fractional offsets', async () => {
    await expect(vault.files.stream('f', { start: -1 })).rejects.toMatchObject({ code: 'invalid-range' });
    await expect(vault.files.stream('f', { end: 1.5 })).rejects.toMatchObject({ code: 'invalid-range' });
  });

  it.each([
    ['inside one segment', { start: 2 * S + 10, end: 2 * S + 20 }, 1],
    ['across two segments', { start: S - 1, end: S + 1 }, 2],
    ['the final segment', { start: 3 * S, end: N }, 1],
    ['end-relative from segment 1 (final verified first)', { start: S + 5 }, 1 + 3],
  ])('a range %s decrypts only the segments it needs', async (_, range, expected) => {
    const fresh = (await openFilesVault()).vault; // no verified-size cache yet
    await fresh.files.put('Docs.Photo', 'f', new Blob([data]));
    const calls = await decryptsDuring(() => read(fresh, range));
    fresh.close();
    expect(calls).toBe(expected);
  });

  it('size() verifies only the final segment', async () => {
    const fresh = (await openFilesVault()).vault;
    await fresh.files.put('Docs.Photo', 'f', new Blob([data]));
    expect(await decryptsDuring(async () => expect(await fresh.files.size('f')).toBe(N))).toBe(1);
    fresh.close();
  });
});

describe('bounded streaming', () => {
  it('reads are pulled: the first chunk of a 40-segment file decrypts at most one read batch of segments', async () => {
    const spy = vi.spyOn(crypto.subtle, 'decrypt');
    try {
      const reader = (await vault.files.stream('big')).getReader();
      const first = await reader.read();
      expect(first.value?.length).toBe(S);
      await new Promise((r) => setTimeout(r, 20)); // give any eager read-ahead a chance to show
      expect(spy.mock.calls.length).toBeLessThanOrEqual(READ_BATCH);
      await reader.cancel();
      const afterCancel = spy.mock.calls.length;
      await new Promise((r) => setTimeout(r, 20));
      expect(spy.mock.calls.length).toBe(afterCancel);
    } finally {
      spy.mockRestore();
    }
  });

  it('a full read never holds more than a batch of segments ahead of the consumer', async () => {
    const spy = vi.spyOn(crypto.subtle, 'decrypt');
    try {
      const reader = (await vault.files.stream('big')).getReader();
      let delivered = 0;
      let maxAhead = 0;
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        delivered++;
        maxAhead = Math.max(maxAhead, spy.mock.calls.length - delivered);
      }
      expect(delivered).toBe(40);
      expect(maxAhead).toBeLessThanOrEqual(READ_BATCH - 1);
    } finally {
      spy.mockRestore();
    }
  });
});
