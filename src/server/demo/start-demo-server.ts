import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValidationError } from '../../core/errors.js';
import { createSyncServer, type SyncServer } from '../create-sync-server.js';
import { ensureSchema } from '../ensure-schema.js';
import type { Listener } from '../node-bridge.js';
import { openSqliteStore } from '../open-sqlite-store.js';
import type { SyncStore } from '../sync-store.js';
import { createDemoAuth } from './demo-auth.js';
import { demoApp } from './demo-app.js';
import { seedDemoData } from './seed-demo-data.js';

/** Options of `startDemoServer`. */
export interface DemoServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default 8787. */
  readonly port?: number;
  readonly host?: string;
  /** SQLite file (created with its directory) or ':memory:'. Default `.vault-data/demo.db`. */
  readonly dbPath?: string;
  /** HMAC secret of the demo tokens. Default: random per process. */
  readonly secret?: string;
  /** CORS origin for the demo PWA on another port. Default '*'. */
  readonly allowOrigin?: string;
}

/** A running demo server. */
export interface DemoServer extends Listener {
  readonly server: SyncServer;
  readonly store: SyncStore;
  /** A bearer token of a seeded user (`ann`, `bob`, `meg`, `aud`), as `/v1/demo-login` issues. */
  tokenFor(user: string): string;
}

/**
 * Demo server actions: `Sales.QuoteDiscount` computes a discount for an order total without
 * storing anything (Mendix microflow call on memory-only data); the auditor may not call it.
 */
const actions = {
  'Sales.QuoteDiscount': {
    roles: ['Sales', 'Manager'],
    handler(input: unknown) {
      const total = typeof input === 'object' && input !== null ? (input as { TotalPrice?: unknown }).TotalPrice : undefined;
      const n = typeof total === 'string' ? Number(total) : total;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
        throw new ValidationError('invalid-value', 'TotalPrice must be a non-negative number', { member: 'TotalPrice' });
      }
      return { Discount: n >= 1000 ? '0.05' : '0' };
    },
  },
};

/** Starts the demo sync server: SQLite, seeded users and data, the demo-login route. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const dbPath = options.dbPath ?? '.vault-data/demo.db';
  if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
  const store = openSqliteStore(dbPath);
  const auth = createDemoAuth(options.secret);
  await ensureSchema(store, demoApp);
  await seedDemoData(store);
  const server = createSyncServer({
    app: demoApp,
    store,
    authenticate: auth.authenticate,
    actions,
    routes: { '/v1/demo-login': auth.loginRoute },
    allowOrigin: options.allowOrigin ?? '*',
  });
  const listener = await server.listen(options.port ?? 8787, options.host ?? '127.0.0.1');
  return {
    url: listener.url,
    port: listener.port,
    server,
    store,
    tokenFor: auth.tokenFor,
    async close() {
      await listener.close();
      await store.close();
    },
  };
}
