import type { DatePart } from './ast.js';
import { numberToDecimal } from './decimal-compare.js';
import { encodeSortableDecimal } from './sql-decimal.js';
import { datePartValue } from './time-token-value.js';

/** The part of a better-sqlite3 `Database` the functions need (kept structural: no Node import). */
export interface SqliteFunctionHost {
  function(name: string, options: { deterministic?: boolean }, fn: (...args: never[]) => unknown): unknown;
}

const DATE_PARTS = new Set<string>(['year', 'month', 'day', 'hours', 'minutes', 'seconds', 'quarter', 'day-of-year', 'week', 'weekday']);

/** `contains` / `starts-with` / `ends-with` exactly as the predicate compiler: JS lower-casing. */
export function sqliteMatch(fn: unknown, subject: unknown, needle: unknown): number {
  if (typeof subject !== 'string' || typeof needle !== 'string') return 0;
  const hay = subject.toLowerCase();
  const nee = needle.toLowerCase();
  const hit = fn === 'contains' ? hay.includes(nee) : fn === 'starts-with' ? hay.startsWith(nee) : fn === 'ends-with' ? hay.endsWith(nee) : false;
  return hit ? 1 : 0;
}

/**
 * Registers the deterministic user functions the SQLite output of `toSql` calls. A SQLite storage
 * adapter MUST call this on every connection before running a `toSql` WHERE clause:
 * - `ov_match(fn, subject, needle)`: 1/0, case-insensitive string functions (JS `toLowerCase`);
 * - `ov_lower(text)`: JS `toLowerCase` (SQLite's `lower` only folds ASCII);
 * - `ov_length(text)`: length in code points (SQLite's `length` stops at NUL);
 * - `ov_datepart(part, iso, zone)`: `<part>-from-dateTime` in an IANA zone (SQLite has no zones);
 * - `ov_dec(number)`: an integer in the sortable decimal encoding (integer vs decimal columns).
 */
export function registerSqliteFunctions(db: SqliteFunctionHost): void {
  const opts = { deterministic: true };
  db.function('ov_match', opts, ((fn: unknown, subject: unknown, needle: unknown) => sqliteMatch(fn, subject, needle)) as (...a: never[]) => unknown);
  db.function('ov_lower', opts, ((s: unknown) => (typeof s === 'string' ? s.toLowerCase() : null)) as (...a: never[]) => unknown);
  db.function('ov_length', opts, ((s: unknown) => (typeof s === 'string' ? [...s].length : null)) as (...a: never[]) => unknown);
  db.function('ov_datepart', opts, ((part: unknown, iso: unknown, zone: unknown) => {
    if (typeof iso !== 'string' || typeof part !== 'string' || !DATE_PARTS.has(part) || typeof zone !== 'string') return null;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? null : datePartValue(ms, part as DatePart, zone);
  }) as (...a: never[]) => unknown);
  db.function('ov_dec', opts, ((n: unknown) => {
    if (typeof n !== 'number' && typeof n !== 'bigint') return null;
    const text = numberToDecimal(n);
    return text === null ? null : encodeSortableDecimal(text);
  }) as (...a: never[]) => unknown);
}
