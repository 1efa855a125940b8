// Sync benchmark (issue 4, "Measure"): initial sync of 10,000 and 100,000 objects end to end through
// the real client (openVault, encrypted, fake-indexeddb in Node) against the reference server over
// HTTP on 127.0.0.1; an incremental sync after 10 changes among 100,000 visible objects; the same
// after one access-rule-relevant change that removes 1,000 objects from the user's view. SQLite and
// PostgreSQL side by side (PostgreSQL at OV_TEST_PG_URL, skipped with one line when unreachable).
// Loads the TypeScript sources through Vite's SSR loader, so no build is needed.
// Usage: node bench/sync-bench.mjs [--quick] [--trace] [--backend sqlite|postgres]
// (--quick: 10,000 objects only; --trace: progress events and server time per request of the incremental syncs)
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import pg from 'pg';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

const root = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.argv.includes('--quick');
const TRACE = process.argv.includes('--trace'); // logs sync-progress events of incremental syncs with times
const SIZES = QUICK ? [10_000] : [10_000, 100_000];
const GROUPS = 100;
const PG_URL = process.env.OV_TEST_PG_URL ?? 'postgres://vault:vault@127.0.0.1:5432/vault_test';

const vite = await createServer({ root, configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false } });
const load = (path) => vite.ssrLoadModule(path);
const { defineApp } = await load('/src/app/index.ts');
const { openVault } = await load('/src/store/index.ts');
const { createSyncServer, openSqliteStore, openPostgresStore, ensureSchema } = await load('/src/server/index.ts');
const { prepareColumns, insertRows } = await load('/src/server/object-rows.ts');
const { nextSeq } = await load('/src/server/ensure-schema.ts');
const { listenWith } = await load('/src/server/node-bridge.ts');

// Items belong to groups; the user reads the items of open groups (plus Note on their own items).
// Closing one group is an access-rule-relevant change elsewhere: its items leave the view unchanged.
const app = defineApp({
  roles: ['User', 'Admin'],
  entities: {
    'Bench.Group': { attributes: { Name: 'string', Open: 'boolean' } },
    'Bench.Item': {
      attributes: { Title: 'string', Status: { enum: ['Open', 'Paid', 'Closed'] }, Amount: 'decimal', Count: 'integer', Owner: 'string', Note: 'string' },
      indexes: ['Status'],
    },
  },
  associations: { 'Bench.Item_Group': { from: 'Bench.Item', to: 'Bench.Group', type: 'reference' } },
  accessRules: {
    'Bench.Group': [
      { roles: ['User'], members: { Name: 'read', Open: 'read' } },
      { roles: ['Admin'], create: true, delete: true, members: '*' },
    ],
    'Bench.Item': [
      {
        roles: ['User'],
        members: { Title: 'read', Status: 'read', Amount: 'read', Count: 'read', Owner: 'read', 'Bench.Item_Group': 'read' },
        xpath: '[Bench.Item_Group/Bench.Group/Open = true()]',
      },
      { roles: ['User'], members: { Note: 'readwrite' }, xpath: "[Owner = '[%CurrentUser%]']" },
      { roles: ['Admin'], create: true, delete: true, members: '*' },
    ],
  },
});

const STATUSES = ['Open', 'Paid', 'Closed'];
const groupId = (g) => `00000000-0000-4000-8000-${String(g).padStart(12, '0')}`;
const itemId = (i) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const item = (i, n) => ({
  Title: `Item ${i}`,
  Status: STATUSES[i % 3],
  Amount: `${(i * 7919) % 100_000}.${String(i % 100).padStart(2, '0')}`,
  Count: i % 1000,
  Owner: i % 10 === 0 && i >= n / GROUPS ? 'u1' : `u${(i % 7) + 2}`, // never in group 0, which the bench closes
  Note: i % 5 === 0 ? null : `note for item ${i}`,
  'Bench.Item_Group': groupId(Math.floor((i * GROUPS) / n)),
});

const USERS = new Map([
  ['t-user', { id: 'u1', roles: ['User'] }],
  ['t-admin', { id: 'admin', roles: ['Admin'] }],
]);

async function pgReachable() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh server store with `n` items in `GROUPS` groups, seeded in bulk (one version). */
async function seededStore(backend, n) {
  let store;
  let drop = async () => undefined;
  if (backend === 'sqlite') store = openSqliteStore(':memory:');
  else {
    const schema = `ov_bench_${randomUUID().replaceAll('-', '')}`;
    store = openPostgresStore(PG_URL, { schema, max: 4 });
    drop = async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    };
  }
  await ensureSchema(store, app);
  const d = store.dialect;
  await store.transaction('write', async (tx) => {
    const seq = await nextSeq(tx);
    const groups = Array.from({ length: GROUPS }, (_, g) => ({ id: groupId(g), columns: prepareColumns(app, 'Bench.Group', { Name: `Group ${g}`, Open: true }, d) }));
    await insertRows(tx, d, 'Bench.Group', groups, seq);
    for (let start = 0; start < n; start += 10_000) {
      const rows = [];
      for (let i = start; i < Math.min(n, start + 10_000); i++) rows.push({ id: itemId(i), columns: prepareColumns(app, 'Bench.Item', item(i, n), d) });
      await insertRows(tx, d, 'Bench.Item', rows, seq);
    }
  });
  if (backend === 'postgres') await store.transaction('schema', (tx) => tx.run('ANALYZE'));
  return { store, drop };
}

/** Server over HTTP with a timing wrapper around `handler`, and a client fetch counting body bytes. */
async function startServer(store) {
  const server = createSyncServer({
    app,
    store,
    authenticate: async (request) => USERS.get(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '') ?? null,
  });
  await server.ready();
  const meter = { requests: 0, bytes: 0, serverMs: 0, maxServerMs: 0, trace: false };
  const timed = async (request) => {
    const t = performance.now();
    const response = await server.handler(request);
    const ms = performance.now() - t;
    meter.serverMs += ms;
    meter.maxServerMs = Math.max(meter.maxServerMs, ms);
    if (meter.trace) process.stderr.write(`    server ${new URL(request.url).pathname}: ${ms.toFixed(0)} ms\n`);
    return response;
  };
  const listener = await listenWith(timed, 0, '127.0.0.1', server.limits.maxBodyBytes);
  const countingFetch = async (input, init) => {
    meter.requests += 1;
    if (typeof init?.body === 'string') meter.bytes += Buffer.byteLength(init.body);
    const response = await fetch(input, init);
    const body = await response.arrayBuffer();
    meter.bytes += body.byteLength;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const admin = async (changes) => {
    const body = { protocol: 1, changes: changes.map((c) => ({ mutationId: randomUUID(), ...c })) };
    const request = new Request(`${listener.url}/v1/upload`, {
      method: 'POST',
      headers: { authorization: 'Bearer t-admin', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const out = await (await server.handler(request)).json();
    if (out.results?.some((r) => r.status !== 'applied') !== false) throw new Error(`admin write failed: ${JSON.stringify(out).slice(0, 300)}`);
  };
  return { listener, meter, countingFetch, admin };
}

/** Runs one sync and returns its wall time, requests, bytes and server time. */
async function measuredSync(vault, meter, trace = false) {
  const before = { ...meter };
  const start = performance.now();
  meter.trace = trace;
  const off = trace ? vault.on('sync-progress', (p) => process.stderr.write(`    ${fmt(performance.now() - start)} ms ${JSON.stringify(p)}\n`)) : () => undefined;
  meter.maxServerMs = 0;
  const t = performance.now();
  const result = await vault.sync();
  const ms = performance.now() - t;
  off();
  return {
    ms,
    requests: meter.requests - before.requests,
    bytes: meter.bytes - before.bytes,
    serverMs: meter.serverMs - before.serverMs,
    maxServerMs: meter.maxServerMs,
    result,
  };
}

/** One backend, one size: initial sync; at the largest size also the two incremental syncs. */
async function scenario(backend, n, incremental) {
  const tSeed = performance.now();
  const { store, drop } = await seededStore(backend, n);
  const seedMs = performance.now() - tSeed;
  const { listener, meter, countingFetch, admin } = await startServer(store);
  const vault = await openVault({
    name: `sync-bench-${backend}-${n}`,
    app,
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    requestPersistence: false,
    encryption: { database: true },
    sync: { url: listener.url, token: 't-user', fetch: countingFetch, retry: { attempts: 1, baseDelayMs: 1 } },
  });
  const out = { seedMs };
  try {
    out.initial = await measuredSync(vault, meter);
    out.held = await vault.table('Bench.Item').count();
    if (incremental) {
      // 10 changes among the visible items (server-side, as the admin), then a sync.
      await admin(Array.from({ length: 10 }, (_, k) => ({ entity: 'Bench.Item', id: itemId((k * 7919 + 3) % n), op: 'update', values: { Title: `changed ${k}` } })));
      out.changes = await measuredSync(vault, meter, TRACE);
      // Closing group 0 removes n / GROUPS items from the user's view without changing them.
      await admin([{ entity: 'Bench.Group', id: groupId(0), op: 'update', values: { Open: false } }]);
      out.revoke = await measuredSync(vault, meter, TRACE);
      out.heldAfter = await vault.table('Bench.Item').count();
    }
  } finally {
    await vault.close();
    await listener.close();
    await store.close();
    await drop();
  }
  return out;
}

const fmt = (x, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kb = (bytes) => (bytes >= 1e6 ? `${fmt(bytes / 1e6, 1)} MB` : `${fmt(bytes / 1e3, 1)} KB`);
const pct = (a, b) => `${fmt((100 * a) / b, 2)}%`;

const only = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : undefined;
const backends = only === 'postgres' ? [] : ['sqlite'];
if (only === 'sqlite') {
  // PostgreSQL left out on request
} else if (await pgReachable()) backends.push('postgres');
else console.log(`PostgreSQL not reachable at ${PG_URL.replace(/:[^:@/]*@/, ':***@')}: SQLite only`);

console.log(`Sync benchmark: real client (openVault, database encryption on, fake-indexeddb in Node) <-> reference server over HTTP on 127.0.0.1.`);
console.log(`Bytes = request + response bodies (client fetch wrapper); server = time inside server.handler. ${GROUPS} groups; user u1 reads items of open groups.\n`);

const results = new Map();
const t0 = performance.now();
for (const n of SIZES) {
  for (const backend of backends) {
    const incremental = n === SIZES[SIZES.length - 1];
    results.set(`${backend}:${n}`, await scenario(backend, n, incremental));
    process.stderr.write(`  done: ${backend} ${fmt(n)} (${fmt((performance.now() - t0) / 1000, 1)} s)\n`);
  }
}

const rows = [];
const row = (label, f) => rows.push([label, ...backends.map(f)]);
for (const n of SIZES) {
  const r = (b) => results.get(`${b}:${n}`);
  row(`initial sync ${fmt(n)} objects: time`, (b) => `${fmt(r(b).initial.ms / 1000, 2)} s`);
  row(`  objects/s`, (b) => fmt(r(b).held / (r(b).initial.ms / 1000)));
  row(`  bytes on the wire`, (b) => kb(r(b).initial.bytes));
  row(`  requests; server time total / per request (max)`, (b) => {
    const i = r(b).initial;
    return `${i.requests}; ${fmt(i.serverMs)} / ${fmt(i.serverMs / i.requests, 1)} (${fmt(i.maxServerMs)}) ms`;
  });
}
const big = SIZES[SIZES.length - 1];
const r = (b) => results.get(`${b}:${big}`);
row(`10 changes among ${fmt(big)}: time (vs initial)`, (b) => `${fmt(r(b).changes.ms)} ms (${pct(r(b).changes.ms, r(b).initial.ms)})`);
row(`  bytes (vs initial)`, (b) => `${kb(r(b).changes.bytes)} (${pct(r(b).changes.bytes, r(b).initial.bytes)})`);
row(`  requests; server time`, (b) => `${r(b).changes.requests}; ${fmt(r(b).changes.serverMs)} ms`);
row(`  downloaded`, (b) => fmt(r(b).changes.result.downloaded));
row(`rule-relevant change (-${fmt(big / GROUPS)}): time (vs initial)`, (b) => `${fmt(r(b).revoke.ms)} ms (${pct(r(b).revoke.ms, r(b).initial.ms)})`);
row(`  bytes (vs initial)`, (b) => `${kb(r(b).revoke.bytes)} (${pct(r(b).revoke.bytes, r(b).initial.bytes)})`);
row(`  requests; server time`, (b) => `${r(b).revoke.requests}; ${fmt(r(b).revoke.serverMs)} ms`);
row(`  purged; objects held after`, (b) => `${fmt(r(b).revoke.result.purged)}; ${fmt(r(b).heldAfter)}`);

const widths = [0, ...backends.map(() => 0)].map((_, c) => Math.max(...[['', ...backends], ...rows].map((x) => x[c].length)));
const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
console.log(line(['', ...backends]));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const x of rows) console.log(line(x));
const ok = backends.every((b) => r(b).changes.bytes < r(b).initial.bytes / 100 && r(b).changes.ms < r(b).initial.ms / 20);
console.log(`\nTargets for 10 changes (bytes < 1%, time < 5% of the initial sync): ${ok ? 'met' : 'NOT met'}. Total ${fmt((performance.now() - t0) / 1000, 1)} s.`);
await vite.close();
