import { randomUUID } from 'node:crypto';
import type { AppDefinition } from '../../../src/app/index.js';
import type { DownloadResponse, SyncLimits, UploadChange, UploadResponse } from '../../../src/core/sync-protocol.js';
import { createSyncServer, openPostgresStore, openSqliteStore, type SyncAction, type SyncServer, type SyncStore } from '../../../src/server/index.js';
import { demoApp, DEMO_USERS, seedDemoData } from '../../../src/server/demo/index.js';
import { ensureSchema } from '../../../src/server/ensure-schema.js';

export type Backend = 'sqlite' | 'postgres';

const PG_URL = process.env['OV_TEST_PG_URL'] ?? 'postgres://vault:vault@127.0.0.1:5432/vault_test';

/** Backends to run against: SQLite always, PostgreSQL when reachable (one log line when not). */
export async function availableBackends(): Promise<Backend[]> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return ['sqlite', 'postgres'];
  } catch {
    console.log(`PostgreSQL not reachable at ${PG_URL.replace(/:[^:@/]*@/, ':***@')}: server tests run on SQLite only`);
    return ['sqlite'];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A store on a fresh database: SQLite in memory, or a PostgreSQL schema of its own. */
export async function openTestStore(backend: Backend): Promise<{ store: SyncStore; drop(): Promise<void> }> {
  if (backend === 'sqlite') {
    const store = openSqliteStore(':memory:');
    return { store, drop: () => store.close() };
  }
  const schema = `ov_test_${randomUUID().replaceAll('-', '')}`;
  const store = openPostgresStore(PG_URL, { schema, max: 4 });
  return {
    store,
    async drop() {
      await store.close();
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

export interface CallResult {
  status: number;
  text: string;
  json: any;
}

/** A server on 127.0.0.1 with token `t-<user>` for each user of the mutable `roles` map. */
export interface Fixture {
  url: string;
  store: SyncStore;
  server: SyncServer;
  roles: Map<string, string[]>;
  /** Every response body the server sent (confidentiality checks). */
  bodies: string[];
  call(path: string, init?: { user?: string; method?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<CallResult>;
  upload(user: string, changes: UploadChange[]): Promise<UploadResponse>;
  download(user: string, body: Record<string, unknown>): Promise<DownloadResponse>;
  /** Restarts the HTTP server with another app definition on the same database (a redeploy). */
  redeploy(app: AppDefinition): Promise<void>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  app?: AppDefinition;
  seed?: boolean;
  limits?: Partial<SyncLimits>;
  actions?: Record<string, SyncAction>;
  now?: () => Date;
}

export async function startFixture(backend: Backend, options: FixtureOptions = {}): Promise<Fixture> {
  const { store, drop } = await openTestStore(backend);
  const roles = new Map<string, string[]>(Object.entries(DEMO_USERS).map(([u, r]) => [u, [...r]]));
  const authenticate = async (request: Request) => {
    const m = /^Bearer t-(\w+)$/.exec(request.headers.get('authorization') ?? '');
    const r = m === null ? undefined : roles.get(m[1]!);
    return r === undefined ? null : { id: m![1]!, roles: r };
  };
  const app = options.app ?? demoApp;
  if (options.seed ?? app === demoApp) {
    await ensureSchema(store, demoApp);
    await seedDemoData(store);
  }
  const make = async (a: AppDefinition) => {
    const server = createSyncServer({
      app: a,
      store,
      authenticate,
      ...(options.actions ? { actions: options.actions } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.now ? { now: options.now } : {}),
      onError: (e) => console.error('server fault', e),
    });
    return { server, listener: await server.listen(0) };
  };
  let current = await make(app);
  const bodies: string[] = [];
  const fx: Fixture = {
    get url() {
      return current.listener.url;
    },
    store,
    get server() {
      return current.server;
    },
    roles,
    bodies,
    async call(path, init = {}) {
      const headers: Record<string, string> = { ...(init.user ? { authorization: `Bearer t-${init.user}` } : {}), ...init.headers };
      let body: string | undefined = init.raw;
      if (init.body !== undefined) body = JSON.stringify(init.body);
      if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${current.listener.url}/sync${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      bodies.push(text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json };
    },
    async upload(user, changes) {
      const r = await fx.call('/v1/upload', { user, body: { protocol: 1, changes } });
      if (r.status !== 200) throw new Error(`upload ${r.status}: ${r.text}`);
      return r.json as UploadResponse;
    },
    async download(user, body) {
      const r = await fx.call('/v1/download', { user, body: { protocol: 1, ...body } });
      if (r.status !== 200) throw new Error(`download ${r.status}: ${r.text}`);
      return r.json as DownloadResponse;
    },
    async redeploy(next) {
      await current.listener.close();
      current = await make(next);
    },
    async close() {
      await current.listener.close();
      await drop();
    },
  };
  return fx;
}

/** Every row of every table (to prove a request changed nothing). */
export async function snapshot(store: SyncStore, tables: readonly string[]): Promise<string> {
  return store.transaction('read', async (tx) => {
    const out: unknown[] = [];
    for (const t of tables) out.push(t, await tx.all(`SELECT * FROM "${t}" ORDER BY 1, 2`));
    return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  });
}

export const ALL_DEMO_TABLES = ['Sales.Customer', 'Sales.Order', 'Sales.Customer#deleted', 'Sales.Order#deleted', 'ov_meta', 'ov_mutations'];
