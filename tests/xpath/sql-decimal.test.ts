import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDecimal } from '../../src/xpath/decimal-compare.js';
import { decodeSortableDecimal, encodeSortableDecimal } from '../../src/xpath/sql-decimal.js';

const byteOrder = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);
/** -1 / 0 / 1 without the sign of zero. */
const sign = (n: number): number => (n === 0 ? 0 : n);

const decimalText = (maxInt: bigint, maxPlaces: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: maxInt }), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: maxPlaces }))
    .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`);

describe('sortable decimal encoding', () => {
  it('orders encodings bytewise exactly as the numbers, for any number of fraction digits', () => {
    const d = fc.oneof(decimalText(10n ** 20n - 1n, 12), decimalText(99n, 3), fc.constantFrom('0', '-0', '0.0', '-30', '-30.5', '30', '30.5', '-0.00000001'));
    fc.assert(
      fc.property(d, d, (a, b) => {
        expect(byteOrder(encodeSortableDecimal(a), encodeSortableDecimal(b))).toBe(sign(compareDecimal(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes stored values back to their canonical text', () => {
    fc.assert(
      fc.property(decimalText(10n ** 20n - 1n, 8), (a) => {
        const decoded = decodeSortableDecimal(encodeSortableDecimal(a));
        expect(sign(compareDecimal(decoded, a))).toBe(0);
        expect(decoded).not.toMatch(/^-?0\d|\.\d*0$|^-0$/);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['123456789012345678901', '99999999999999999999.99999999', 1],
    ['-123456789012345678901', '-99999999999999999999.99999999', -1],
    ['-123456789012345678901', '-0.5', -1],
    ['123456789012345678901.5', '0', 1],
  ])('places %s beyond every storable value (vs %s)', (big, stored, sign) => {
    expect(byteOrder(encodeSortableDecimal(big), encodeSortableDecimal(stored))).toBe(sign);
  });

  it('rejects text that is not a decimal and stored text that is not an encoding', () => {
    expect(() => encodeSortableDecimal('1e5')).toThrow(expect.objectContaining({ code: 'invalid-value' }));
    expect(() => decodeSortableDecimal('p12')).toThrow(expect.objectContaining({ code: 'invalid-value' }));
    expect(() => decodeSortableDecimal(`n${'9'.repeat(20)}`)).toThrow(expect.objectContaining({ code: 'invalid-value' }));
  });
});
