import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compareDecimal, numberToDecimal } from '../../src/xpath/decimal-compare.js';

/** Reference: scale both to the same number of fraction digits and compare as BigInt. */
function reference(a: string, b: string): number {
  const frac = (s: string) => (s.split('.')[1] ?? '').length;
  const scale = Math.max(frac(a), frac(b));
  const big = (s: string) => {
    const [i, f = ''] = s.split('.') as [string, string?];
    const neg = i.startsWith('-');
    const v = BigInt(i.replace('-', '') + f.padEnd(scale, '0'));
    return neg ? -v : v;
  };
  const x = big(a);
  const y = big(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

const decimal = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,22}$/), fc.option(fc.stringMatching(/^[0-9]{1,10}$/), { nil: undefined }))
  .map(([neg, i, f]) => `${neg ? '-' : ''}${i}${f === undefined ? '' : `.${f}`}`);

describe('compareDecimal', () => {
  test('agrees with an exact BigInt comparison, including leading/trailing zeros and -0', () => {
    fc.assert(fc.property(decimal, decimal, (a, b) => compareDecimal(a, b) === reference(a, b)), { numRuns: 3000 });
  });

  const table: [string, string, number][] = [
    ['0.3', '0.30000000000000004', -1],
    ['-0', '0.000', 0],
    ['007.50', '7.5', 0],
    ['-1.5', '-1.49', -1],
    ['12345678901234567890.12345678', '12345678901234567890.12345679', -1],
  ];
  test.each(table)('%s vs %s is %i', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
  });

  test('non-decimal text does not compare', () => {
    expect(compareDecimal('1e5', '1')).toBeNaN();
    expect(compareDecimal('abc', '1')).toBeNaN();
  });

  test('numberToDecimal writes numbers without exponents', () => {
    expect([numberToDecimal(1e21), numberToDecimal(1.5e-7), numberToDecimal(-0.25), numberToDecimal(10n ** 30n), numberToDecimal(Number.NaN)]).toEqual([
      '1000000000000000000000',
      '0.00000015',
      '-0.25',
      '1000000000000000000000000000000',
      null,
    ]);
  });
});
