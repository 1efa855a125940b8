import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { registerSqliteFunctions } from '../xpath/index.js';
import { registerDigestAggregate } from './sqlite-digest-aggregate.js';
import type { SqlExecutor, SqlRow, SyncStore } from './sync-store.js';

// Loaded on first use, so apps on PostgreSQL do not need better-sqlite3 installed.
const require = createRequire(import.meta.url);

/** Options of `openSqliteStore`. */
export interface SqliteStoreOptions {
  /** How long a writer waits for another process's write lock. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/** SQLite's bindable values: booleans and undefined are mapped for the driver. */
function bindable(params: readonly unknown[]): unknown[] {
  return params.map((v) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v));
}

/**
 * The embedded storage adapter: better-sqlite3 on `path` (or `':memory:'`), WAL journal, the
 * XPath SQL functions registered. Transactions of one store run one at a time (the connection is
 * shared by every request of the process); writers use BEGIN IMMEDIATE so several processes on
 * one file serialize on SQLite's write lock.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SyncStore {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('synchronous = NORMAL');
  registerSqliteFunctions(db);
  registerDigestAggregate(db);
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let s = statements.get(sql);
    if (s === undefined) {
      s = db.prepare(sql);
      if (statements.size > 500) statements.clear();
      statements.set(sql, s);
    }
    return s;
  };
  const tx: SqlExecutor = {
    async all(sql, params = []) {
      const s = prepare(sql);
      return s.reader ? (s.all(...bindable(params)) as SqlRow[]) : (s.run(...bindable(params)), []);
    },
    async run(sql, params = []) {
      return prepare(sql).run(...bindable(params)).changes;
    },
  };
  // Invariants: (1) at most one transaction is open on the connection; (2) `queue` always settles,
  // so one failed transaction never blocks the next; (3) a throw rolls back before the next starts.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    dialect: 'sqlite',
    transaction<T>(kind: 'read' | 'write' | 'schema', fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        if (closed) throw new Error('store is closed');
        db.exec(kind === 'read' ? 'BEGIN' : 'BEGIN IMMEDIATE');
        try {
          const result = await fn(tx);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      await queue;
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
