import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore, openSqliteStore, type SyncStore } from '../../src/server/index.js';

export type Backend = 'sqlite' | 'postgres';

const PG_URL = process.env['OV_TEST_PG_URL'] ?? 'postgres://vault:vault@127.0.0.1:5432/vault_test';

/** SQLite always; PostgreSQL too when reachable (one log line when it is not). */
export async function syncBackends(): Promise<Backend[]> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return ['sqlite', 'postgres'];
  } catch {
    console.log(`PostgreSQL not reachable at ${PG_URL.replace(/:[^:@/]*@/, ':***@')}: sync tests run on SQLite only`);
    return ['sqlite'];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A server store on a fresh database; `drop` removes it (a PostgreSQL schema of its own). */
export function openBackendStore(backend: Backend): { store: SyncStore; drop(): Promise<void> } {
  if (backend === 'sqlite') {
    const store = openSqliteStore(':memory:');
    return { store, drop: async () => undefined };
  }
  const schema = `ov_sync_${randomUUID().replaceAll('-', '')}`;
  const store = openPostgresStore(PG_URL, { schema, max: 4 });
  return {
    store,
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
