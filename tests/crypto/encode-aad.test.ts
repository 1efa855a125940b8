import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey, encodeRecordAad } from '../../src/crypto/index.js';
import { hex } from './fixtures.js';

const DB = new Uint8Array(16).fill(7);
const HEADER = Uint8Array.of(1, 1, 0, 0, 0, 1);
const aad = (store: string, sv: number, key: unknown): string => hex(encodeRecordAad(DB, HEADER, store, sv, key));

/**
 * Independent model of IndexedDB key equality: a tagged canonical string per key. Two keys are
 * the same IndexedDB key exactly when their canonical strings are equal.
 */
function canonical(key: unknown): string {
  if (typeof key === 'number') return `n:${Object.is(key, -0) ? 0 : key}`;
  if (typeof key === 'string') return `s:${JSON.stringify(key)}`;
  if (key instanceof Date) return `d:${key.getTime() === 0 ? 0 : key.getTime()}`;
  if (key instanceof Uint8Array) return `b:${hex(key)}`;
  if (Array.isArray(key)) return `a:[${key.map(canonical).join(',')}]`;
  throw new Error('not a key');
}

const leafKey = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer({ min: -3, max: 3 }),
  fc.string({ maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('', 'a', 'ab', 'b', 'c', 'bc', '1', '\uD800', '\uFFFD'),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 4 }),
);
const idbKey = fc.letrec((tie) => ({
  key: fc.oneof({ depthSize: 'small' }, leafKey, fc.array(tie('key'), { maxLength: 3 })),
})).key;
const context = fc.record({
  store: fc.constantFrom('a', 'ab', 'b', 'sales_order', 'sales_orde', ''),
  sv: fc.constantFrom(0, 1, 2, 0x0100, 0xffff_ffff),
  key: idbKey,
});
const canonicalContext = (c: { store: string; sv: number; key: unknown }): string =>
  `${JSON.stringify(c.store)}|${c.sv}|${canonical(c.key)}`;

describe('record AAD encoding is injective (P16)', () => {
  it.each([
    ['("ab","c") vs ("a","bc") as arrays', ['ab', 'c'], ['a', 'bc']],
    ['[1] vs "1"', [1], '1'],
    ['1 vs "1"', 1, '1'],
    ['Date vs number with the same ms', new Date(5), 5],
    ['[] vs ""', [], ''],
    ['[[]] vs []', [[]], []],
    ['[[1], 2] vs [[1, 2]]', [[1], 2], [[1, 2]]],
    ['lone surrogate vs U+FFFD', '\uD800', '\uFFFD'],
    ['binary vs string of the same bytes', new Uint8Array([0x61]), 'a'],
    ['empty binary vs empty string', new Uint8Array(0), ''],
  ])('separates %s', (_name, a, b) => {
    expect(aad('s', 1, a)).not.toBe(aad('s', 1, b));
  });

  it('separates store name from key when bytes shift between them', () => {
    expect(aad('ab', 1, 'c')).not.toBe(aad('a', 1, 'bc'));
    expect(aad('a', 0x0100, 'x')).not.toBe(aad('a', 1, 'x'));
  });

  it('lays out prefix, dbId, header, lp(store), u32(sv), encKey exactly', () => {
    const bytes = encodeRecordAad(DB, HEADER, 'ab', 258, 'c');
    const expected = [
      ...new TextEncoder().encode('offline-vault/rec/v1'),
      ...DB,
      ...HEADER,
      0, 0, 0, 2, 0x61, 0x62,
      0, 0, 1, 2,
      0x03, 0, 0, 0, 1, 0x63,
    ];
    expect([...bytes]).toEqual(expected);
    expect([...encodeKey(1)]).toEqual([0x01, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    expect([...encodeKey([new Uint8Array([9])])]).toEqual([0x05, 0, 0, 0, 1, 0x04, 0, 0, 0, 1, 9]);
  });

  it('maps two contexts to equal bytes exactly when they are the same IndexedDB context (property)', () => {
    fc.assert(
      fc.property(context, context, (a, b) => {
        const same = canonicalContext(a) === canonicalContext(b);
        expect(aad(a.store, a.sv, a.key) === aad(b.store, b.sv, b.key)).toBe(same);
      }),
      { numRuns: 20_000 },
    );
  });

  it('finds no collision among 100,000 random contexts', () => {
    const byBytes = new Map<string, string>();
    fc.assert(
      fc.property(context, (c) => {
        const bytes = aad(c.store, c.sv, c.key);
        const canon = canonicalContext(c);
        const prior = byBytes.get(bytes);
        if (prior !== undefined) expect(prior).toBe(canon);
        byBytes.set(bytes, canon);
      }),
      { numRuns: 100_000 },
    );
    expect(byBytes.size).toBeGreaterThan(10_000);
  });

  it.each([
    ['NaN', Number.NaN],
    ['an invalid date', new Date(Number.NaN)],
    ['an object', { a: 1 }],
    ['a boolean', true],
    ['null', null],
    ['undefined', undefined],
    ['an array containing an object', [1, { a: 1 }]],
  ])('rejects %s as a key with ValidationError invalid-key', (_name, key) => {
    expect(() => encodeKey(key)).toThrow(expect.objectContaining({ name: 'ValidationError', code: 'invalid-key' }));
  });

  it('rejects cyclic arrays instead of recursing forever', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => encodeKey(cyclic)).toThrow(expect.objectContaining({ code: 'invalid-key' }));
    expect(aad('s', 1, 'after')).toBe(aad('s', 1, 'after')); // the shared writer recovered
  });
});
