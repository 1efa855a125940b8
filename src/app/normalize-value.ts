import { ValidationError } from '../core/errors.js';
import { numberToDecimal } from '../core/number-to-decimal.js';
import type { AssociationDef, AttributeDef } from './types.js';

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Mendix decimals: precision 20, scale 8. */
const DECIMAL_INTEGER_DIGITS = 20;
const DECIMAL_FRACTION_DIGITS = 8;
const MAX_ID_LENGTH = 128;

/** Where a value came from, for error details. Never includes the value itself. */
export interface ValueLocation {
  entity: string;
  id?: string | undefined;
  member: string;
}

function reject(rule: string, message: string, at: ValueLocation): never {
  throw new ValidationError('invalid-value', `${at.entity}${at.id === undefined ? '' : ` ${at.id}`}: ${at.member} ${message}`, {
    entity: at.entity,
    id: at.id,
    member: at.member,
    rule,
  });
}


/** Canonical decimal string: no leading zeros, no trailing fraction zeros, no "-0". */
export function canonicalDecimal(input: string): string | undefined {
  const m = DECIMAL.exec(input);
  if (m === null) return undefined;
  const intDigits = (m[2] ?? '0').replace(/^0+(?=\d)/, '');
  const fracDigits = (m[3] ?? '').replace(/0+$/, '');
  const zero = /^0*$/.test(intDigits) && fracDigits === '';
  return `${m[1] !== undefined && !zero ? '-' : ''}${intDigits}${fracDigits === '' ? '' : `.${fracDigits}`}`;
}

/**
 * Validates one attribute value and returns its stored form: `null` for empty, canonical strings
 * for decimals, ISO-8601 UTC strings for datetimes. Throws `ValidationError` naming the member.
 */
export function normalizeAttribute(attr: AttributeDef, value: unknown, at: ValueLocation): unknown {
  if (value === null || value === undefined) {
    if (attr.required) reject('required', 'is required', at);
    return null;
  }
  switch (attr.type) {
    case 'string':
      if (typeof value !== 'string') reject('type', 'must be a string', at);
      if (attr.maxLength !== undefined && value.length > attr.maxLength) reject('max-length', `is longer than ${attr.maxLength} characters`, at);
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
        reject('type', 'must be a 32-bit integer', at);
      }
      return value;
    case 'long':
      if (typeof value === 'bigint') {
        if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) reject('range', 'is outside the safe integer range', at);
        return Number(value);
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) reject('type', 'must be a safe integer', at);
      return value;
    case 'decimal': {
      const text = typeof value === 'number' ? (numberToDecimal(value) ?? undefined) : typeof value === 'string' ? value.trim() : undefined;
      const canonical = text === undefined ? undefined : canonicalDecimal(text);
      if (canonical === undefined) reject('type', 'must be a decimal number or a decimal string', at);
      const [intPart, frac = ''] = canonical.replace('-', '').split('.') as [string, string?];
      if (intPart.length > DECIMAL_INTEGER_DIGITS) reject('range', `has more than ${DECIMAL_INTEGER_DIGITS} integer digits`, at);
      if (frac.length > DECIMAL_FRACTION_DIGITS) reject('scale', `has more than ${DECIMAL_FRACTION_DIGITS} decimal places`, at);
      return canonical;
    }
    case 'boolean':
      if (typeof value !== 'boolean') reject('type', 'must be true or false', at);
      return value;
    case 'datetime': {
      let date: Date | undefined;
      if (value instanceof Date) date = value;
      else if (typeof value === 'string' && ISO_DATETIME.test(value)) date = new Date(value);
      if (date === undefined || Number.isNaN(date.getTime())) reject('type', 'must be a Date or an ISO-8601 date-time string', at);
      return date.toISOString();
    }
    case 'enum':
      if (typeof value !== 'string' || !attr.values!.includes(value)) reject('enum', `must be one of ${attr.values!.join(', ')}`, at);
      return value;
  }
}

function checkId(value: unknown, at: ValueLocation): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH) reject('reference', 'must reference an object id', at);
  return value;
}

/**
 * Validates an association value: an id (or null) for a reference, a list of ids for a reference
 * set. Empty reads as null for both (DESIGN §2); duplicate ids in a set are dropped.
 */
export function normalizeReference(assoc: AssociationDef, value: unknown, at: ValueLocation): string | string[] | null {
  if (assoc.type === 'reference') {
    if (value === null || value === undefined) return null;
    return checkId(value, at);
  }
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) reject('reference-set', 'must be a list of object ids', at);
  const ids: string[] = [];
  for (const v of value) {
    const id = checkId(v, at);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids.length === 0 ? null : ids;
}
