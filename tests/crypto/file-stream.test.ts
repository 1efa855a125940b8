import { describe, expect, it, vi } from 'vitest';
import { IntegrityError, KeyLostError, ValidationError } from '../../src/core/errors.js';
import {
  createDbId,
  createFileHeader,
  createFileKey,
  FILE_HEADER_LENGTH,
  openFileHeader,
  openFileMeta,
  openSegment,
  parseFileHeader,
  sealFileMeta,
  sealSegment,
  SEGMENT_SIZE,
  type FileKeys,
} from '../../src/crypto/index.js';

async function makeFileKeys(keyId = 1): Promise<FileKeys> {
  const primary = await createFileKey(keyId);
  return { dbId: createDbId(), primary, all: new Map([[keyId, primary.key]]) };
}

const S = SEGMENT_SIZE;
const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrityError);
  return (error as IntegrityError).code;
}

describe('STREAM file header', () => {
  it('has the 91-byte layout of crypto.md §3.6 and parses back', async () => {
    const keys = await makeFileKeys(7);
    const { header, context } = await createFileHeader(keys);
    expect(header.length).toBe(FILE_HEADER_LENGTH);
    expect([...header.subarray(0, 4)]).toEqual([0x01, 0x02, 16, 0]);
    expect(new DataView(header.buffer).getUint32(27)).toBe(7);
    const fields = parseFileHeader(header);
    expect(fields).toEqual({ fileId: header.slice(4, 20), noncePrefix: header.slice(20, 27), fileKeyId: 7 });
    expect(context.fileId).toEqual(fields.fileId);
    expect(context.noncePrefix).toEqual(fields.noncePrefix);
  });

  it('gives every file a fresh fileId, nonce prefix and FEK', async () => {
    const keys = await makeFileKeys();
    const [a, b] = [await createFileHeader(keys), await createFileHeader(keys)];
    expect(a.header.subarray(4, 27)).not.toEqual(b.header.subarray(4, 27));
    expect(a.header.subarray(31)).not.toEqual(b.header.subarray(31));
  });

  it('keeps only non-extractable FEKs, when writing and when reading', async () => {
    const keys = await makeFileKeys();
    const { header, context } = await createFileHeader(keys);
    const opened = await openFileHeader(keys, header);
    for (const fek of [context.fek, opened.fek]) {
      expect(fek.extractable).toBe(false);
      await expect(crypto.subtle.exportKey('raw', fek)).rejects.toThrow();
    }
  });

  it('binds the wrapped FEK to the database, the fileId and the key id', async () => {
    const keys = await makeFileKeys();
    const { header } = await createFileHeader(keys);
    expect(await codeOf(openFileHeader({ ...keys, dbId: createDbId() }, header))).toBe('integrity-check-failed');
    const otherFileId = header.slice();
    otherFileId[5]! ^= 1;
    expect(await codeOf(openFileHeader(keys, otherFileId))).toBe('integrity-check-failed');
    const otherKeyId = header.slice();
    otherKeyId[30] = 2;
    const both: FileKeys = { ...keys, all: new Map([[1, keys.primary!.key], [2, keys.primary!.key]]) };
    expect(await codeOf(openFileHeader(both, otherKeyId))).toBe('integrity-check-failed');
    expect(await codeOf(openFileHeader(keys, otherKeyId))).toBe('key-not-found');
    await expect(openFileHeader({ dbId: keys.dbId, all: new Map() }, header)).rejects.toBeInstanceOf(KeyLostError);
  });

  it('rejects headers outside the allow-list, or of the wrong length, without touching a key', async () => {
    const keys = await makeFileKeys();
    const { header } = await createFileHeader(keys);
    const unwrap = vi.spyOn(crypto.subtle, 'unwrapKey');
    try {
      for (const [at, value] of [[0, 2], [1, 1], [2, 17], [2, 12], [3, 1]] as const) {
        const bad = header.slice();
        bad[at] = value;
        expect(await codeOf(openFileHeader(keys, bad))).toBe('unsupported-format');
      }
      expect(await codeOf(openFileHeader(keys, header.subarray(0, 90)))).toBe('truncated');
      expect(await codeOf(openFileHeader(keys, new Uint8Array([...header, 0])))).toBe('extra-data');
      expect(unwrap).not.toHaveBeenCalled();
    } finally {
      unwrap.mockRestore();
    }
  });

  it('fails every segment when any header byte that passes the allow-list changes', async () => {
    const keys = await makeFileKeys();
    const { header, context } = await createFileHeader(keys);
    const segments = [await sealSegment(context, 0, false, bytes(S)), await sealSegment(context, 1, true, bytes(9))];
    for (let at = 4; at < FILE_HEADER_LENGTH; at++) {
      const bad = header.slice();
      bad[at]! ^= 0x01;
      const opened = await openFileHeader(keys, bad).catch((e: unknown) => e);
      if (opened instanceof Error) continue; // fileId, key id or wrapped key: the header itself fails
      for (const [i, ct] of segments.entries()) {
        expect(await codeOf(openSegment(opened as Awaited<ReturnType<typeof openFileHeader>>, i, i === 1, ct))).toBe('integrity-check-failed');
      }
      expect(at >= 20 && at < 27).toBe(true); // only noncePrefix bytes get this far
    }
  });
});

describe('STREAM segments', () => {
  it('round-trip with |ct| = |pt| + 16, decrypted by a reader that opened the stored header', async () => {
    const keys = await makeFileKeys();
    const { header, context } = await createFileHeader(keys);
    const reader = await openFileHeader(keys, header);
    const cases: [number, boolean, number][] = [[0, false, S], [1, false, S], [2, true, 1], [0, true, 0], [5, true, S]];
    for (const [index, last, length] of cases) {
      const pt = crypto.getRandomValues(new Uint8Array(length));
      const ct = await sealSegment(context, index, last, pt);
      expect(ct.length).toBe(length + 16);
      expect(await openSegment(reader, index, last, ct)).toEqual(pt);
    }
  });

  it('binds each segment to its index, its final flag and its file', async () => {
    const keys = await makeFileKeys();
    const a = await createFileHeader(keys);
    const b = await createFileHeader(keys);
    const mid = await sealSegment(a.context, 1, false, bytes(S));
    const fin = await sealSegment(a.context, 2, true, bytes(100));
    expect(await codeOf(openSegment(a.context, 2, false, mid))).toBe('integrity-check-failed'); // moved
    expect(await codeOf(openSegment(a.context, 1, true, mid))).toBe('truncated'); // read as final: the file was cut
    expect(await codeOf(openSegment(a.context, 2, false, fin))).toBe('extra-data'); // a final segment where more was expected
    expect(await codeOf(openSegment(a.context, 3, false, fin))).toBe('integrity-check-failed'); // and moved
    expect(await codeOf(openSegment(b.context, 1, false, mid))).toBe('integrity-check-failed'); // spliced into file B
    const finFull = await sealSegment(a.context, 2, true, bytes(S));
    expect(await codeOf(openSegment(a.context, 2, false, finFull))).toBe('extra-data'); // same, full-length final
    const flipped = mid.slice();
    flipped[S + 3]! ^= 0x10; // in the tag
    expect(await codeOf(openSegment(a.context, 1, false, flipped))).toBe('integrity-check-failed');
  });

  it('refuses to seal a segment whose length does not fit its position', async () => {
    const { context } = await createFileHeader(await makeFileKeys());
    for (const [index, last, n] of [[0, false, S - 1], [1, true, 0], [0, true, S + 1], [0, false, S + 1]] as const) {
      await expect(sealSegment(context, index, last, bytes(n))).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(sealSegment(context, 2 ** 32, true, bytes(1))).rejects.toMatchObject({ code: 'invalid-segment-index' });
  });
});

describe('sealed file metadata', () => {
  it('round-trips, and is bound to its file and kept apart from segments', async () => {
    const keys = await makeFileKeys();
    const a = await createFileHeader(keys);
    const b = await createFileHeader(keys);
    const meta = await sealFileMeta(a.context, { contentType: 'image/png' });
    expect(await openFileMeta(a.context, meta)).toEqual({ contentType: 'image/png' });
    expect(await codeOf(openFileMeta(b.context, meta))).toBe('integrity-check-failed');
    expect(await codeOf(openSegment(a.context, 0, true, meta))).toBe('integrity-check-failed');
    const seg = await sealSegment(a.context, 0, true, new TextEncoder().encode('{"contentType":"x"}'));
    expect(await codeOf(openFileMeta(a.context, seg))).toBe('integrity-check-failed');
  });
});
