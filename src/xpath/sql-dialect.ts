import { ValidationError } from '../core/errors.js';

/** SQL dialects the SQL compiler and the storage conventions support. */
export type SqlDialect = 'sqlite' | 'postgres';

/** PostgreSQL truncates longer identifiers silently, which could make two names collide. */
const POSTGRES_MAX_IDENTIFIER_BYTES = 63;

/**
 * Quotes an identifier (table, column, alias). Identifiers come only from the app definition;
 * quoting still doubles `"` so that no name can end the identifier early.
 */
export function quoteIdent(name: string, dialect: SqlDialect): string {
  if (name === '' || name.includes('\u0000')) {
    throw new ValidationError('invalid-identifier', 'SQL identifier is empty or contains NUL', { identifier: name });
  }
  if (dialect === 'postgres' && new TextEncoder().encode(name).length > POSTGRES_MAX_IDENTIFIER_BYTES) {
    throw new ValidationError('identifier-too-long', `SQL identifier "${name}" is longer than 63 bytes`, { identifier: name });
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Collects bound parameters. `add` returns a marker; `finish` turns the markers into the dialect's
 * placeholders in text order (`?` for SQLite, `$n` for PostgreSQL), so fragments may be built in any
 * order and a marker may appear more than once (SQLite then binds the value once per occurrence).
 */
export class SqlParams {
  private readonly values: unknown[] = [];

  /** Binds `value` and returns its marker for the SQL text. */
  add(value: unknown): string {
    this.values.push(value);
    return `\u0000${this.values.length - 1}\u0000`;
  }

  /** The final SQL text and parameter list for `dialect`. */
  finish(sql: string, dialect: SqlDialect): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const numbered = new Map<number, number>();
    const out = sql.replace(/\u0000(\d+)\u0000/g, (_m, index: string) => {
      const i = Number(index);
      if (dialect === 'sqlite') {
        params.push(this.values[i]);
        return '?';
      }
      let n = numbered.get(i);
      if (n === undefined) {
        params.push(this.values[i]);
        n = params.length;
        numbered.set(i, n);
      }
      return `$${n}`;
    });
    return { sql: out, params };
  }
}
