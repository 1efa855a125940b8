import { createRequire } from 'node:module';
import type * as Pg from 'pg';
import { quoteIdent } from '../xpath/index.js';
import type { SqlExecutor, SqlRow, SyncStore } from './sync-store.js';

// Loaded on first use, so apps on SQLite do not need pg installed.
const require = createRequire(import.meta.url);

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** Schema holding the tables (created if missing); default: the connection's search_path. */
  readonly schema?: string;
  /** Largest number of pooled connections. Default 10. */
  readonly max?: number;
}

/** Key of the advisory lock that serializes schema changes across server instances. */
const SCHEMA_LOCK_KEY = 0x6f76_7363; // "ovsc"

/**
 * The scale-out storage adapter: a pg Pool on `connectionString`. Reads run in REPEATABLE READ
 * READ ONLY transactions (one snapshot per request); writes in READ COMMITTED, serialized by the
 * sequence counter's row lock that every write transaction takes first.
 */
export function openPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): SyncStore {
  const pg = require('pg') as typeof Pg;
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  const schema = options.schema === undefined ? undefined : quoteIdent(options.schema, 'postgres');
  // An idle client that loses its connection emits 'error'; the pool replaces it.
  pool.on('error', () => undefined);
  let schemaReady: Promise<void> | undefined;
  const ensureSchema = (): Promise<void> => {
    if (schema === undefined) return Promise.resolve();
    schemaReady ??= pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).then(
      () => undefined,
      (error: unknown) => {
        schemaReady = undefined;
        throw error;
      },
    );
    return schemaReady;
  };
  return {
    dialect: 'postgres',
    async transaction<T>(kind: 'read' | 'write' | 'schema', fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      await ensureSchema();
      const client = await pool.connect();
      const tx: SqlExecutor = {
        async all(sql, params = []) {
          return (await client.query(sql, params as unknown[])).rows as SqlRow[];
        },
        async run(sql, params = []) {
          return (await client.query(sql, params as unknown[])).rowCount ?? 0;
        },
      };
      let broken = false;
      try {
        await client.query(kind === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        if (schema !== undefined) await client.query(`SET LOCAL search_path TO ${schema}`);
        if (kind === 'schema') await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
