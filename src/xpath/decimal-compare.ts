/**
 * Exact comparison of decimal numbers written as text (`-12.50`, `30000.01`), with no floats:
 * decimals are stored as canonical strings and `0.1 + 0.2`-style rounding must never change a
 * comparison result.
 */

const DECIMAL = /^(-)?([0-9]+)(?:\.([0-9]+))?$/;

interface Parts {
  readonly negative: boolean;
  readonly int: string;
  readonly frac: string;
}

function split(text: string): Parts | null {
  const m = DECIMAL.exec(text);
  if (m === null) return null;
  const int = m[2]!.replace(/^0+/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return { negative: m[1] !== undefined && (int !== '' || frac !== ''), int, frac };
}

function compareMagnitude(a: Parts, b: Parts): number {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const width = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(width, '0');
  const fb = b.frac.padEnd(width, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** True for text `compareDecimal` accepts: optional `-`, digits, optional `.digits`. */
export function isDecimalText(text: string): boolean {
  return DECIMAL.test(text);
}

/** -1, 0 or 1 comparing two decimal strings exactly; NaN when either is not a decimal. */
export function compareDecimal(a: string, b: string): number {
  const pa = split(a);
  const pb = split(b);
  if (pa === null || pb === null) return Number.NaN;
  if (pa.negative !== pb.negative) return pa.negative ? -1 : 1;
  const m = compareMagnitude(pa, pb);
  return pa.negative ? -m : m;
}

/**
 * `compareDecimal(a, b)` for a fixed `b`, with `b` parsed once (the compiled predicate compares
 * every object's value with the same literal).
 */
export function decimalComparer(b: string): (a: string) => number {
  const pb = split(b);
  if (pb === null) return () => Number.NaN;
  return (a) => {
    const pa = split(a);
    if (pa === null) return Number.NaN;
    if (pa.negative !== pb.negative) return pa.negative ? -1 : 1;
    const m = compareMagnitude(pa, pb);
    return pa.negative ? -m : m;
  };
}

export { numberToDecimal } from '../core/number-to-decimal.js';
