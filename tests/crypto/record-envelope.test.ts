import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_OVERHEAD,
  envelopeLength,
  isEnvelope,
  openRecord,
  openRecords,
  padmeLength,
  sealRecord,
  sealRecords,
} from '../../src/crypto/index.js';
import { ctx, decoder, encoder, hex, makeKeys } from './fixtures.js';

const keys = await makeKeys();

/** Independent Padmé (bit-string arithmetic) to check envelope lengths against. */
function referencePadme(length: number): number {
  const e = length.toString(2).length - 1;
  const z = e - e.toString(2).length;
  if (length < 2 || z <= 0) return length;
  const step = 2 ** z;
  return Math.ceil(length / step) * step;
}

const KEY_CASES: [string, IDBValidKey][] = [
  ['empty string', ''],
  ['ascii string', 'order-42'],
  ['unicode string', 'zoë 🚀 注文'],
  ['string with a lone surrogate', 'a\uD800b'],
  ['zero', 0],
  ['negative float', -12.5],
  ['max safe integer', Number.MAX_SAFE_INTEGER],
  ['infinity', Number.POSITIVE_INFINITY],
  ['date', new Date('2024-02-29T12:00:00Z')],
  ['binary Uint8Array', new Uint8Array([0, 1, 2, 255])],
  ['binary ArrayBuffer', new Uint8Array([9, 8, 7]).buffer],
  ['empty array', []],
  ['nested array', ['a', 1, [new Date(0), new Uint8Array(16)]]],
];

describe('record envelope round trip', () => {
  it.each(KEY_CASES)('seals and opens a record whose primary key is a %s', async (_name, key) => {
    const plaintext = encoder.encode(JSON.stringify({ name: 'Zoë', total: 12.5 }));
    const env = await sealRecord(keys, ctx(key), plaintext);
    expect(decoder.decode(await openRecord(keys, ctx(key), env))).toBe(decoder.decode(plaintext));
  });

  it('round-trips payloads of every length 0..1,100 and strided lengths to 65,536 with the Padmé length', async () => {
    const lengths = [...Array.from({ length: 1101 }, (_, i) => i), ...Array.from({ length: 64 }, (_, i) => 1024 * (i + 1) + i)];
    await Promise.all(
      lengths.map(async (len) => {
        const plaintext = new Uint8Array(len).map((_, i) => (i * 31 + len) & 0xff);
        const env = await sealRecord(keys, ctx(len), plaintext);
        expect(env.length).toBe(34 + referencePadme(5 + len));
        expect(env.length).toBe(envelopeLength(len));
        const opened = await openRecord(keys, ctx(len), env);
        if (!Buffer.from(opened).equals(Buffer.from(plaintext))) expect.fail(`payload of ${len} bytes changed`);
      }),
    );
  });

  it('writes the v1 header: fmt 1, suite 1, keyId big-endian, and a buffer of exactly the envelope size', async () => {
    const env = await sealRecord(keys, ctx('h'), encoder.encode('hello'));
    expect([...env.subarray(0, 6)]).toEqual([1, 1, 0, 0, 0, 1]);
    expect(env.byteOffset).toBe(0);
    expect(env.buffer.byteLength).toBe(env.length);
    expect(ENVELOPE_OVERHEAD).toBe(34);
    expect(env.length).toBe(34 + padmeLength(5 + 5));
  });

  it('decrypts envelopes of an older key generation kept in record.all', async () => {
    const old = await sealRecord(keys, ctx('k'), encoder.encode('old'));
    const next = await makeKeys();
    const rotated = {
      ...keys,
      record: {
        primary: { keyId: 2, key: next.record.primary.key },
        all: new Map([...keys.record.all, [2, next.record.primary.key]]),
      },
    };
    const fresh = await sealRecord(rotated, ctx('k'), encoder.encode('new'));
    expect([...fresh.subarray(2, 6)]).toEqual([0, 0, 0, 2]);
    expect(decoder.decode(await openRecord(rotated, ctx('k'), old))).toBe('old');
    expect(decoder.decode(await openRecord(rotated, ctx('k'), fresh))).toBe('new');
  });

  it('handles 5,000 concurrent seals and opens through the batch helpers', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      ctx: ctx(i % 2 === 0 ? i : `id-${i}`),
      plaintext: encoder.encode(`{"n":${i},"pad":"${'p'.repeat(i % 300)}"}`),
    }));
    const envelopes = await sealRecords(keys, items);
    const opened = await openRecords(
      keys,
      items.map((item, i) => ({ ctx: item.ctx, envelope: envelopes[i]! })),
    );
    opened.forEach((bytes, i) => expect(hex(bytes)).toBe(hex(items[i]!.plaintext)));
  });

  it('rejects invalid primary keys and schema versions before encrypting, without the key in the error', async () => {
    const bad: [unknown, number][] = [
      [Number.NaN, 1],
      [new Date(Number.NaN), 1],
      [{ secret: 'CANARY-x' }, 1],
      [null, 1],
      ['ok', -1],
      ['ok', 1.5],
      ['ok', 2 ** 32],
    ];
    for (const [key, sv] of bad) {
      const error = await sealRecord(keys, ctx(key as IDBValidKey, 'sales_order', sv), encoder.encode('x')).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ValidationError', details: { store: 'sales_order' } });
      expect(JSON.stringify(error)).not.toContain('CANARY');
    }
  });
});

describe('isEnvelope', () => {
  it('accepts a sealed envelope and rejects other values', async () => {
    const env = await sealRecord(keys, ctx(1), encoder.encode('x'));
    expect(isEnvelope(env)).toBe(true);
    const cases: unknown[] = [
      env.slice(0, 38),
      Uint8Array.of(2, ...env.subarray(1)),
      Uint8Array.of(1, 2, ...env.subarray(2)),
      env.buffer,
      Array.from(env),
      'envelope',
      null,
      undefined,
    ];
    for (const value of cases) expect(isEnvelope(value)).toBe(false);
  });
});
