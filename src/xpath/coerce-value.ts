import type { CompareOp } from './ast.js';
import type { Domain } from './check-xpath.js';
import { compareDecimal, isDecimalText, numberToDecimal } from './decimal-compare.js';

/** Marks a value that acts as the `empty` literal (a variable holding null/undefined). */
export const EMPTY_LITERAL = Symbol('xpath-empty-literal');

/** Marks a value that cannot be compared in a domain (the comparison is then false). */
export const INVALID = Symbol('xpath-invalid');

export type Coerced = string | number | boolean | typeof INVALID;

/** Stored "no value": null/undefined (an empty string is a value). */
export function isEmptyValue(v: unknown): boolean {
  return v === null || v === undefined;
}

function idOrString(raw: unknown): Coerced {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string') return (raw as { id: string }).id;
  return INVALID;
}

/**
 * Brings a raw value (stored member, literal, token or variable value) into the comparable form of
 * a domain: numeric -> decimal text, datetime -> epoch ms, boolean -> boolean, others -> string.
 */
export function coerce(domain: Domain, raw: unknown): Coerced {
  switch (domain) {
    case 'numeric':
      if (typeof raw === 'number' || typeof raw === 'bigint') return numberToDecimal(raw) ?? INVALID;
      if (typeof raw === 'string' && isDecimalText(raw.trim())) return raw.trim();
      return INVALID;
    case 'datetime': {
      if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? INVALID : raw.getTime();
      if (typeof raw === 'number') return Number.isFinite(raw) ? raw : INVALID;
      if (typeof raw === 'string') {
        const ms = Date.parse(raw);
        return Number.isNaN(ms) ? INVALID : ms;
      }
      return INVALID;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return INVALID;
    case 'string':
    case 'enum':
    case 'ref':
      return idOrString(raw);
    case 'empty':
    case 'any':
      // Two variables: compare like with like (numbers as numbers, strings by code unit).
      if (typeof raw === 'number') return Number.isNaN(raw) ? INVALID : raw;
      if (typeof raw === 'bigint') return Number(raw);
      if (raw instanceof Date) return raw.getTime();
      if (typeof raw === 'boolean') return raw;
      return idOrString(raw);
  }
}

/** -1/0/1 comparing two coerced values of a domain; NaN when they do not compare. */
export function compareCoerced(domain: Domain, a: Coerced, b: Coerced): number {
  if (a === INVALID || b === INVALID) return Number.NaN;
  if (domain === 'numeric') {
    return typeof a === 'string' && typeof b === 'string' ? compareDecimal(a, b) : Number.NaN;
  }
  if (typeof a !== typeof b) return Number.NaN;
  if (a === b) return 0;
  // Strings: case-sensitive, by UTF-16 code unit (as a binary collation).
  return a < b ? -1 : 1;
}

/** Applies a comparison operator to a -1/0/1/NaN result (NaN: always false). */
export function applyOp(op: CompareOp, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c === 1 || c === -1;
    case '<':
      return c === -1;
    case '<=':
      return c === -1 || c === 0;
    case '>':
      return c === 1;
    case '>=':
      return c === 1 || c === 0;
  }
}
