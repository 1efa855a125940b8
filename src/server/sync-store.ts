import type { SqlDialect, SqlWhere } from '../xpath/index.js';

/** A result row: column name to value, as the driver returns it. */
export type SqlRow = Record<string, unknown>;

/** Runs statements inside one transaction of a `SyncStore`. */
export interface SqlExecutor {
  /** Rows of a query (placeholders: `?` in SQLite, `$n` in PostgreSQL). */
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/**
 * What the sync server needs from a database: a dialect and transactions.
 * - `read`: one consistent snapshot (PostgreSQL REPEATABLE READ READ ONLY);
 * - `write`: the caller takes the sequence counter's lock first (see ensure-schema.ts), so
 *   writers serialize and versions follow commit order;
 * - `schema`: DDL, serialized across processes (PostgreSQL advisory lock).
 * A throw inside `fn` rolls the transaction back and rethrows.
 */
export interface SyncStore {
  readonly dialect: SqlDialect;
  transaction<T>(kind: 'read' | 'write' | 'schema', fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Builds one SQL statement and its parameters left to right. Placeholders and `toSql` fragments
 * must be added in text order (SQLite binds `?` by position); PostgreSQL fragments are renumbered.
 */
export class SqlBuilder {
  readonly params: unknown[] = [];

  constructor(readonly dialect: SqlDialect) {}

  /** A placeholder bound to `value`. */
  p(value: unknown): string {
    this.params.push(value === undefined ? null : value);
    return this.dialect === 'sqlite' ? '?' : `$${this.params.length}`;
  }

  /** Placeholders for a list (at least one value). */
  list(values: readonly unknown[]): string {
    return values.map((v) => this.p(v)).join(', ');
  }

  /** A `toSql` condition, with its parameters appended (renumbered for PostgreSQL). */
  frag(where: SqlWhere): string {
    const offset = this.params.length;
    this.params.push(...where.params);
    if (this.dialect === 'sqlite') return `(${where.where})`;
    // Identifiers come from the app definition and never contain `$`, so `$n` is a placeholder.
    return `(${where.where.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + offset}`)})`;
  }
}
