/** Plain decimal text of a finite number or bigint (no exponent, e.g. 1e-7 → "0.0000001"), or null. */
export function numberToDecimal(n: number | bigint): string | null {
  if (typeof n === 'bigint') return n.toString();
  if (!Number.isFinite(n)) return null;
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mantissa, exp] = s.toLowerCase().split('e') as [string, string];
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '');
  const [intPart, fracPart = ''] = digits.split('.') as [string, string?];
  const all = intPart + fracPart;
  const point = intPart.length + Number(exp);
  const plain =
    point <= 0 ? `0.${'0'.repeat(-point)}${all}` : point >= all.length ? all + '0'.repeat(point - all.length) : `${all.slice(0, point)}.${all.slice(point)}`;
  return (negative ? '-' : '') + plain;
}
