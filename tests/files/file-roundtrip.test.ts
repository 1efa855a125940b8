import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError, VaultError } from '../../src/core/errors.js';
import type { Vault } from '../../src/store/index.js';
import { canaryBytes, concatBytes, containsBytes, drain, openFilesVault, randomBytes, raw, S, storedFile, blobBytes, byteDiff } from './file-fixture.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

const SIZES = [0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 17];

describe('encrypted file round trip', () => {
  it.each(SIZES)('a file of %i bytes reads back byte-identical through get and stream', async (n) => {
    let indexedDB;
    ({ vault, indexedDB } = await openFilesVault());
    const data = randomBytes(n);
    const result = await vault.files.put('Docs.Photo', 'p1', new Blob([data], { type: 'image/png' }));
    expect(result).toEqual({ size: n, contentType: 'image/png' });

    const blob = await vault.files.get('p1');
    expect(blob?.type).toBe('image/png');
    expect(byteDiff(await blobBytes(blob), data)).toBe('equal');
    const { chunks, error } = await drain(await vault.files.stream('p1'));
    expect(error).toBeUndefined();
    expect(byteDiff(concatBytes(chunks), data)).toBe('equal');
    expect(await vault.files.size('p1')).toBe(n);

    // Stored size is exactly 91 + Σ(|pt_i| + 16), with a non-empty final segment unless empty.
    const { row, chunks: stored } = await storedFile(indexedDB, 'p1');
    const segments = Math.max(1, Math.ceil(n / S));
    expect(row.header.length).toBe(91);
    expect(stored).toHaveLength(segments);
    const ptLengths = Array.from({ length: segments }, (_, i) => Math.min(S, n - i * S));
    expect(row.header.length + stored.reduce((t, c) => t + c.length, 0)).toBe(91 + ptLengths.reduce((t, l) => t + l + 16, 0));
    expect(stored.at(-1)!.length).toBe(n === 0 ? 16 : ptLengths.at(-1)! + 16);
  });

  it('stores no plaintext: neither the contents nor the content type appear in any file store', async () => {
    let indexedDB;
    ({ vault, indexedDB } = await openFilesVault());
    const data = canaryBytes(2 * S + 100);
    await vault.files.put('Docs.Report', 'r1', new Blob([data], { type: 'application/x-canary-type' }));
    const needle = data.subarray(0, 16);
    for (const c of (await raw.all(indexedDB, '_fileChunks')).filter((v) => v.c !== undefined)) expect(containsBytes(c.c, needle)).toBe(false);
    const rows = await raw.all(indexedDB, '_files');
    expect(JSON.stringify(rows)).not.toContain('x-canary-type');
    expect(rows[0]).toMatchObject({ id: 'r1', entity: 'Docs.Report', size: data.length, state: 'committed', version: 1 });
    expect(rows[0].contentType).toBeUndefined();
    expect((await vault.files.info('r1'))?.contentType).toBe('application/x-canary-type');
  });

  it('accepts a ReadableStream source with chunk boundaries that do not match segments', async () => {
    ({ vault } = await openFilesVault());
    const data = randomBytes(2 * S + 5);
    const cuts = [0, 1, 7000, S - 1, S, S + 3, 2 * S + 5];
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 1; i < cuts.length; i++) c.enqueue(data.slice(cuts[i - 1], cuts[i]));
        c.close();
      },
    });
    expect(await vault.files.put('Docs.Report', 'r2', source, { contentType: 'text/plain' })).toEqual({ size: data.length, contentType: 'text/plain' });
    expect(byteDiff(await blobBytes(await vault.files.get('r2')), data)).toBe('equal');
  });

  it('overwrites with a new fileId, bumps the version and deletes the old segments', async () => {
    let indexedDB;
    ({ vault, indexedDB } = await openFilesVault());
    await vault.files.put('Docs.Photo', 'p1', new Blob([randomBytes(3 * S)]));
    const before = await storedFile(indexedDB, 'p1');
    const next = randomBytes(S + 1);
    await vault.files.put('Docs.Photo', 'p1', new Blob([next]));
    const after = await storedFile(indexedDB, 'p1');
    expect(after.row.fileId).not.toBe(before.row.fileId);
    expect(after.row.header.subarray(20, 27)).not.toEqual(before.row.header.subarray(20, 27)); // new nonce prefix
    expect(after.row.version).toBe(2);
    const keys = (await raw.keys(indexedDB, '_fileChunks')) as [string, number][];
    expect(keys.every(([f]) => f === after.row.fileId)).toBe(true);
    expect(keys).toHaveLength(2);
    expect(byteDiff(await blobBytes(await vault.files.get('p1')), next)).toBe('equal');
  });

  it('deletes a file with its segments and reports absence consistently', async () => {
    let indexedDB;
    ({ vault, indexedDB } = await openFilesVault());
    await vault.files.put('Docs.Photo', 'p1', new Blob([randomBytes(S + 1)]));
    expect(await vault.files.has('p1')).toBe(true);
    expect(await vault.files.delete('p1')).toBe(true);
    expect(await vault.files.delete('p1')).toBe(false);
    expect(await vault.files.has('p1')).toBe(false);
    expect(await vault.files.get('p1')).toBeUndefined();
    expect(await vault.files.size('p1')).toBeUndefined();
    await expect(vault.files.stream('p1')).rejects.toMatchObject({ code: 'file-not-found' });
    expect(await raw.keys(indexedDB, '_fileChunks')).toEqual([]);
  });
});

describe('file store validation', () => {
  it('rejects contents for an entity that is not a file entity, or unknown', async () => {
    ({ vault } = await openFilesVault());
    await expect(vault.files.put('Docs.Note', 'n1', new Blob(['x']))).rejects.toMatchObject({ code: 'not-a-file-entity', details: { entity: 'Docs.Note' } });
    await expect(vault.files.put('Docs.Nope', 'n1', new Blob(['x']))).rejects.toMatchObject({ code: 'unknown-entity' });
    await expect(vault.files.put('Docs.Photo', '', new Blob(['x']))).rejects.toBeInstanceOf(ValidationError);
    await expect(vault.files.put('Docs.Photo', 'p', 'text' as never)).rejects.toMatchObject({ code: 'invalid-file-source' });
  });

  it.each([
    ['a Blob', (n: number) => new Blob([new Uint8Array(n)])],
    ['a stream', (n: number) => new Blob([new Uint8Array(n)]).stream()],
  ])('enforces the per-entity size limit on %s and keeps nothing of the rejected file', async (_, make) => {
    let indexedDB;
    ({ vault, indexedDB } = await openFilesVault({ files: { maxFileSize: { 'Docs.Photo': 2 * S } } }));
    expect((await vault.files.put('Docs.Photo', 'ok', make(2 * S))).size).toBe(2 * S);
    const error = await vault.files.put('Docs.Photo', 'big', make(2 * S + 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'file-too-large', details: { entity: 'Docs.Photo', id: 'big', maxSize: 2 * S } });
    expect(await vault.files.has('big')).toBe(false);
    const okRow = await raw.get(indexedDB, '_files', 'ok');
    expect(((await raw.keys(indexedDB, '_fileChunks')) as [string][]).every(([f]) => f === okRow.fileId)).toBe(true);
    // Other file entities get the default limit.
    expect((await vault.files.put('Docs.Report', 'r', make(2 * S + 1))).size).toBe(2 * S + 1);
  });

  it('refuses a file id already used by another file entity', async () => {
    ({ vault } = await openFilesVault());
    await vault.files.put('Docs.Photo', 'x1', new Blob(['a']));
    await expect(vault.files.put('Docs.Report', 'x1', new Blob(['b']))).rejects.toMatchObject({ code: 'file-entity-mismatch' });
  });

  it('throws the closed-vault error after close', async () => {
    ({ vault } = await openFilesVault());
    vault.close();
    await expect(vault.files.get('p1')).rejects.toBeInstanceOf(VaultError);
  });
});
