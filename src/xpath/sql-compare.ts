import { VaultError } from '../core/errors.js';
import type { CompareOp } from './ast.js';
import type { Coerced } from './coerce-value.js';
import { encodeSortableDecimal } from './sql-decimal.js';
import type { SqlScope, SqlKind, TypedSource } from './sql-source.js';

/** SQL for "always true" / "always false" (portable: SQLite and PostgreSQL). */
export const SQL_TRUE = '(1 = 1)';
export const SQL_FALSE = '(1 = 0)';

const SQL_OP: Record<CompareOp, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const ORDERING = new Set<CompareOp>(['<', '<=', '>', '>=']);
const FLIP: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const SQLITE_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The operator seen from the other side: `c < x` is `x > c`. */
export function flipOp(op: CompareOp): CompareOp {
  return FLIP[op];
}

/** SQL that is true when a typed value is present (not empty). */
export function presentTest(s: TypedSource): string | null {
  if (s.emptyTest === null) return null;
  return s.emptyTest.endsWith(' IS NULL') ? `${s.emptyTest.slice(0, -' IS NULL'.length)} IS NOT NULL` : `NOT (${s.emptyTest})`;
}

/** `x op c` where `c` lies above (or below) every storable value: all present values, or none. */
function saturated(op: CompareOp, above: boolean): 'all' | 'none' {
  const all = above ? ['<', '<=', '!='] : ['>', '>=', '!='];
  return all.includes(op) ? 'all' : 'none';
}

/** Binary comparison text; PostgreSQL orders text by code point (`COLLATE "C"`), as SQLite's BINARY. */
function binary(scope: SqlScope, left: string, op: CompareOp, right: string, kind: SqlKind): string {
  const l = scope.dialect === 'postgres' && kind === 'text' && ORDERING.has(op) ? `(${left} COLLATE "C")` : left;
  return `${l} ${SQL_OP[op]} ${right}`;
}

/**
 * An integer-valued column against an exact decimal: keeps the comparison in integers (index
 * friendly, no float rounding). `x < 2.5` is `x <= 2`, `x = 2.5` is never true.
 */
function integerBound(op: CompareOp, decimal: string): { op: CompareOp; value: number } | 'all' | 'none' {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal)!;
  const negative = m[1] === '-';
  const fractional = (m[3] ?? '').replace(/0+$/, '') !== '';
  let floor = BigInt(m[2]!) * (negative ? -1n : 1n);
  if (fractional && negative) floor -= 1n;
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (floor > max) return saturated(op, true);
  if (floor < -max - 1n) return saturated(op, false);
  const f = Number(floor);
  if (!fractional) return { op, value: f };
  switch (op) {
    case '=':
      return 'none';
    case '!=':
      return 'all';
    case '<':
    case '<=':
      return { op: '<=', value: f };
    case '>':
    case '>=':
      return { op: '>=', value: f + 1 };
  }
}

/**
 * SQL testing `x op c` for a present value `x` of `s` and a constant `c` already coerced into the
 * comparison's domain (string, decimal text, boolean, epoch ms). Returns the condition on `s.value`
 * (the caller adds the presence test), or 'all' / 'none'.
 */
export function compareConstant(scope: SqlScope, s: TypedSource, op: CompareOp, c: Exclude<Coerced, symbol>): string | 'all' | 'none' {
  const pg = scope.dialect === 'postgres';
  const p = (v: unknown, cast: string): string => `${scope.params.add(v)}${pg ? cast : ''}`;
  switch (s.kind) {
    case 'text':
      return binary(scope, s.value, op, p(String(c), '::text'), 'text');
    case 'bool':
      return binary(scope, s.value, op, pg ? p(c === true, '::boolean') : p(c === true ? 1 : 0, ''), 'bool');
    case 'datetime': {
      const date = new Date(c as number);
      const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
      // Storable datetimes have years 0001-9999 (sql-schema.ts); anything else lies beyond them all.
      if (!SQLITE_DATETIME.test(iso) || iso < '0001') return saturated(op, iso.startsWith('+'));
      return binary(scope, s.value, op, p(iso, '::timestamptz'), 'datetime');
    }
    case 'dec':
      return binary(scope, s.value, op, pg ? p(String(c), '::numeric') : p(encodeSortableDecimal(String(c)), ''), 'dec');
    case 'int': {
      if (pg) return binary(scope, s.value, op, p(String(c), '::numeric'), 'int');
      const b = integerBound(op, String(c));
      return typeof b === 'string' ? b : binary(scope, s.value, b.op, p(b.value, ''), 'int');
    }
  }
}

/** SQL testing `l op r` for two present typed values (both from the definition). */
export function compareTyped(scope: SqlScope, l: TypedSource, op: CompareOp, r: TypedSource): string {
  if (l.kind === r.kind) return binary(scope, l.value, op, r.value, l.kind);
  const numeric = (k: SqlKind): boolean => k === 'int' || k === 'dec';
  if (numeric(l.kind) && numeric(r.kind)) {
    if (scope.dialect === 'postgres') return binary(scope, l.value, op, r.value, 'dec');
    // SQLite: integers into the sortable decimal encoding of the decimal side.
    const lv = l.kind === 'int' ? `ov_dec(${l.value})` : l.value;
    const rv = r.kind === 'int' ? `ov_dec(${r.value})` : r.value;
    return binary(scope, lv, op, rv, 'dec');
  }
  throw new VaultError('unsupported-comparison', `Cannot compare ${l.kind} with ${r.kind} in SQL`, { left: l.kind, right: r.kind });
}
