import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { defineApp } from '../../src/app/index.js';
import { openVault, type Vault } from '../../src/store/index.js';
import type { SyncConfig } from '../../src/sync/index.js';
import { openBackendStore, type Backend } from './backends.js';

/** The app of the sync tests: restricted members, XPath rules over an association, every sync mode, a time token. */
export const syncApp = defineApp({
  roles: ['Sales', 'Manager'],
  entities: {
    'Sales.Customer': { attributes: { Name: 'string', City: 'string', AccountManager: 'string' }, indexes: ['Name'] },
    'Sales.Order': {
      attributes: { Number: 'integer', Status: { enum: ['Open', 'Paid', 'Closed'] }, TotalPrice: 'decimal', Note: 'string' },
      indexes: ['Status'],
    },
    'Sales.Feedback': { attributes: { Text: 'string' } },
    'Sales.Archive': { attributes: { Text: 'string' } },
    'Sales.Kept': { attributes: { Text: 'string' } },
    'Sales.Promo': { attributes: { Title: 'string', ValidUntil: 'datetime' } },
    'Sales.Draft': { persistent: false, attributes: { Text: 'string' } },
  },
  associations: { 'Sales.Order_Customer': { from: 'Sales.Order', to: 'Sales.Customer', type: 'reference' } },
  accessRules: {
    'Sales.Customer': [
      { roles: ['Sales'], create: true, members: { Name: 'readwrite', City: 'readwrite', AccountManager: 'readwrite' }, xpath: "[AccountManager = '[%CurrentUser%]']" },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
    ],
    'Sales.Order': [
      {
        roles: ['Sales'],
        create: true,
        delete: true,
        members: { Number: 'readwrite', Status: 'readwrite', TotalPrice: 'read', 'Sales.Order_Customer': 'readwrite' },
        xpath: "[Sales.Order_Customer/Sales.Customer/AccountManager = '[%CurrentUser%]']",
      },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
    ],
    'Sales.Feedback': [{ roles: ['Sales', 'Manager'], create: true, members: { Text: 'readwrite' } }],
    'Sales.Archive': [{ roles: ['Sales', 'Manager'], create: true, members: { Text: 'readwrite' } }],
    'Sales.Kept': [{ roles: ['Sales', 'Manager'], create: true, members: { Text: 'readwrite' } }],
    'Sales.Promo': [
      { roles: ['Sales'], members: { Title: 'read', ValidUntil: 'read' }, xpath: "[ValidUntil > '[%CurrentDateTime%]']" },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
    ],
  },
  syncProfile: {
    'Sales.Order': { mode: 'xpath', xpath: "[Status != 'Closed']" },
    'Sales.Feedback': { mode: 'nothing-clear' },
    'Sales.Archive': { mode: 'never' },
    'Sales.Kept': { mode: 'nothing-preserve' },
  },
});

/** Intercepts a request before (and around) the server's handler. */
export type Interceptor = (request: Request, next: (request: Request) => Promise<Response>) => Promise<Response>;

export interface TestServer {
  url: string;
  /** Token → user; change a user's roles here to change them on the server. */
  users: Map<string, { id: string; roles: string[] }>;
  intercept: Interceptor | undefined;
  /** Every response body the server sent, in order. */
  responses: { path: string; body: string }[];
  /** The current instant the server's time tokens see. */
  clock: { now: Date };
  /** A raw protocol request with `token` (server-side writes through the Manager). */
  post(path: string, body: unknown, token?: string): Promise<any>;
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
  return new Request(new URL(req.url ?? '/', base), { method: req.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
}

async function send(res: ServerResponse, response: Response): Promise<string> {
  const text = await response.text();
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(text);
  return text;
}

/** Starts the reference server on 127.0.0.1 (SQLite in memory unless `store` is given). */
export async function startTestServer(options: { backend?: Backend } = {}): Promise<TestServer> {
  const { createSyncServer } = await import('../../src/server/index.js');
  const users = new Map<string, { id: string; roles: string[] }>([
    ['t-alice', { id: 'alice', roles: ['Sales'] }],
    ['t-bob', { id: 'bob', roles: ['Sales'] }],
    ['t-admin', { id: 'admin', roles: ['Manager'] }],
  ]);
  const clock = { now: new Date('2030-01-01T12:00:00.000Z') };
  const { store, drop } = openBackendStore(options.backend ?? 'sqlite');
  const server = createSyncServer({
    app: syncApp,
    store,
    now: () => clock.now,
    authenticate: async (request: Request) => {
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      const user = users.get(token);
      return user === undefined ? null : { id: user.id, roles: [...user.roles] };
    },
    actions: {
      echo: { roles: ['Sales', 'Manager'], handler: async (input: unknown) => ({ echoed: input }) },
    },
  });
  let base = '';
  const harness: TestServer = {
    url: '',
    users,
    intercept: undefined,
    responses: [],
    clock,
    async post(path, body, token = 't-admin') {
      const r = await fetch(`${harness.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ protocol: 1, ...(body as object) }),
      });
      return r.json();
    },
    close: async () => undefined,
  };
  const http: Server = createServer((req, res) => {
    void (async () => {
      const request = await toRequest(req, base);
      const next = (r: Request) => server.handler(r);
      const response = harness.intercept === undefined ? await next(request) : await harness.intercept(request, next);
      harness.responses.push({ path: new URL(request.url).pathname, body: await send(res, response) });
    })().catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  harness.url = `${base}/sync`;
  harness.close = async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await store.close();
    await drop();
  };
  return harness;
}

/** Server-side writes as the Manager: `[op, entity, id, values?]` per change; throws unless every change applied. */
export async function serverWrite(server: TestServer, ...changes: [string, string, string, Record<string, unknown>?][]): Promise<void> {
  const body = await server.post('/v1/upload', {
    changes: changes.map(([op, entity, id, values]) => ({ mutationId: crypto.randomUUID(), entity, id, op, ...(values === undefined ? {} : { values }) })),
  });
  const failed = (body.results ?? []).filter((r: { status: string }) => r.status !== 'applied');
  if (failed.length > 0 || body.results === undefined) throw new Error(`server write failed: ${JSON.stringify(failed.length > 0 ? failed : body)}`);
}

/** Opens a vault on its own in-memory IndexedDB (or the given one), syncing with `token`. */
/**
 * A server seeded with alice's customer c1 and her order o1 (`order` adds members to it), plus
 * `more` server-side creates.
 */
export async function startAliceServer(
  order: Record<string, unknown> = {},
  ...more: [string, string, string, Record<string, unknown>?][]
): Promise<TestServer> {
  const server = await startTestServer();
  await serverWrite(
    server,
    ['create', 'Sales.Customer', 'c1', { Name: 'Acme', AccountManager: 'alice' }],
    ['create', 'Sales.Order', 'o1', { Number: 1, Status: 'Open', ...order, 'Sales.Order_Customer': 'c1' }],
    ...more,
  );
  return server;
}

export async function openSyncedVault(
  server: TestServer,
  token: string,
  options: { indexedDB?: IDBFactory; name?: string; sync?: Partial<SyncConfig>; encrypted?: boolean; checkAccess?: boolean } = {},
): Promise<{ vault: Vault; indexedDB: IDBFactory }> {
  const indexedDB = options.indexedDB ?? new IDBFactory();
  const vault = await openVault({
    name: options.name ?? 'sales',
    app: syncApp,
    indexedDB,
    IDBKeyRange,
    requestPersistence: false,
    encryption: { database: options.encrypted ?? true },
    ...(options.checkAccess === undefined ? {} : { checkAccess: options.checkAccess }),
    sync: { url: server.url, token, retry: { attempts: 3, baseDelayMs: 1 }, ...options.sync },
  });
  return { vault, indexedDB };
}

/** Every persistent object of the vault, per entity, sorted by id (for equality checks). */
export async function snapshot(vault: Vault): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const entity of syncApp.entities.values()) {
    if (!entity.persistent) continue;
    const rows = await vault.table(entity.name).toArray();
    out[entity.name] = rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  return out;
}
