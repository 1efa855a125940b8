import { canonicalDecimal } from '../app/normalize-value.js';
import { ValidationError } from '../core/errors.js';

/** Integer digits of the sortable decimal encoding (Mendix decimals: precision 20, scale 8). */
export const SORTABLE_INTEGER_DIGITS = 20;

/** Encodes above every stored value (a literal with more than 20 integer digits). */
const ABOVE_ALL = 'q';
/** Encodes below every stored value. */
const BELOW_ALL = 'm';

function complement(digits: string): string {
  let out = '';
  for (const d of digits) out += String(9 - Number(d));
  return out;
}

/**
 * Encodes a decimal as text whose byte order equals numeric order (SQLite has no exact decimal).
 *
 * Layout: `p` + 20 zero-padded integer digits [+ `.` + fraction digits without trailing zeros] for
 * zero and positives; `n` + the 9-complement of the same digits + `~` for negatives (the `~`
 * terminator sorts above `.` and every digit, so -30 sorts above -30.5). Any fraction length is
 * exact, so literals with more than 8 places still compare exactly. Numbers with more than 20
 * integer digits (only literals can have them) encode as `q` / `m`, above / below every value.
 */
export function encodeSortableDecimal(value: string): string {
  const canonical = canonicalDecimal(value);
  if (canonical === undefined) {
    throw new ValidationError('invalid-value', 'Not a decimal number', { rule: 'decimal' });
  }
  const negative = canonical.startsWith('-');
  const [intPart, frac = ''] = canonical.replace('-', '').split('.') as [string, string?];
  if (intPart.length > SORTABLE_INTEGER_DIGITS) return negative ? BELOW_ALL : ABOVE_ALL;
  const padded = intPart.padStart(SORTABLE_INTEGER_DIGITS, '0');
  if (!negative) return `p${padded}${frac === '' ? '' : `.${frac}`}`;
  return `n${complement(padded)}${frac === '' ? '' : `.${complement(frac)}`}~`;
}

/** Inverse of `encodeSortableDecimal` for stored values: the canonical decimal string. */
export function decodeSortableDecimal(encoded: string): string {
  const m = /^([pn])(\d{20})(?:\.(\d+))?(~?)$/.exec(encoded);
  if (m === null || (m[1] === 'n') !== (m[4] === '~')) {
    throw new ValidationError('invalid-value', 'Stored decimal is not in the sortable encoding', { rule: 'decimal' });
  }
  const negative = m[1] === 'n';
  const intDigits = negative ? complement(m[2]!) : m[2]!;
  const fracDigits = m[3] === undefined ? '' : negative ? complement(m[3]) : m[3];
  const text = `${negative ? '-' : ''}${intDigits}${fracDigits === '' ? '' : `.${fracDigits}`}`;
  return canonicalDecimal(text)!;
}
