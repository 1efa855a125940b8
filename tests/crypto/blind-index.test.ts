import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blindIndex, blindIndexParts, createIndexKey } from '../../src/crypto/index.js';
import { hex, makeKeys } from './fixtures.js';

const keys = await makeKeys();
const status = keys.index.get('Sales.Order/Status')!;
const email = keys.index.get('Sales.Order/Email')!;

describe('blindIndex', () => {
  it('is deterministic per key', async () => {
    expect(hex(await blindIndex(status, 256, 'Open'))).toBe(hex(await blindIndex(status, 256, 'Open')));
  });

  it('gives different values for the same plaintext under two index keys (P25)', async () => {
    const values = ['Open', 'Closed', 'alice@example.com', ''];
    for (const v of values) expect(hex(await blindIndex(status, 256, v))).not.toBe(hex(await blindIndex(email, 256, v)));
  });

  it('gives different full-length values for different inputs', async () => {
    const seen = new Set<string>();
    for (const v of ['a', 'b', 'ab', 'a\u0000', '', 'zoë']) seen.add(hex(await blindIndex(status, 256, v)));
    expect(seen.size).toBe(6);
  });

  it('truncates to ceil(bits/8) bytes, zeroes the unused low bits, and keeps the full-MAC prefix (P24)', async () => {
    const value = 'alice@example.com';
    const full = await blindIndex(status, 256, value);
    for (let bits = 1; bits <= 256; bits++) {
      const b = await blindIndex(status, bits, value);
      const n = Math.ceil(bits / 8);
      expect(b.length).toBe(n);
      expect(b.buffer.byteLength).toBe(n); // stored as its own buffer, not a view of the MAC
      const spare = n * 8 - bits;
      expect(b[n - 1]! & ((1 << spare) - 1)).toBe(0);
      const mask = (0xff << spare) & 0xff;
      expect(hex(b.subarray(0, n - 1))).toBe(hex(full.subarray(0, n - 1)));
      expect(b[n - 1]).toBe(full[n - 1]! & mask);
    }
  });

  it('zeroes low bits for many values at L = 13 (the default for 10^5 records)', async () => {
    for (let i = 0; i < 300; i++) {
      const b = await blindIndex(status, 13, `v${i}`);
      expect(b.length).toBe(2);
      expect(b[1]! & 0b111).toBe(0);
    }
  });

  it('computes HMAC-SHA-256 over "offline-vault/bi/v1" ‖ lp(utf8 value)', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const value = 'zoë';
    const utf8 = Buffer.from(value, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(utf8.length);
    const expected = createHmac('sha256', raw).update(Buffer.concat([Buffer.from('offline-vault/bi/v1'), len, utf8])).digest();
    expect(hex(await blindIndex(key, 256, value))).toBe(expected.toString('hex'));
    expect(hex(await blindIndexParts(key, 256, [value]))).toBe(expected.toString('hex'));
  });

  it('separates compound parts that concatenate to the same string', async () => {
    const a = await blindIndexParts(status, 256, ['ab', 'c']);
    const b = await blindIndexParts(status, 256, ['a', 'bc']);
    expect(hex(a)).not.toBe(hex(b));
  });

  it.each([0, 257, 12.5, Number.NaN])('rejects %d bits', async (bits) => {
    const key = await createIndexKey();
    await expect(blindIndex(key, bits, 'x')).rejects.toMatchObject({ code: 'invalid-blind-index-bits' });
  });
});
