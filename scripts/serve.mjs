#!/usr/bin/env node
// `npm start`: the demo PWA (demo-dist/) and the demo sync server on one origin. The sync routes
// are mounted under /sync/ (same origin, so no CORS), the demo's SQLite file is
// .vault-data/demo.db (VAULT_DB env), the port is PORT env or 5173, else the next free one.
// The e2e tests import `startDemoHost` to run exactly this setup in-process.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fetchHandler, startStaticServer } from './static-server.mjs';

const DEMO_DIST = fileURLToPath(new URL('../demo-dist/', import.meta.url));
const DEMO_SERVER = new URL('../dist/server/demo/index.js', import.meta.url);

/** Path prefix of the sync server's routes; the demo PWA uses `sync: { url: '/sync' }`. */
export const SYNC_PREFIX = '/sync/';

/**
 * Starts the demo sync server (seeded SQLite, from the built package in dist/) and a static
 * server for demo-dist/ that also answers `/sync/*` with the sync server's fetch handler.
 * Resolves to `{ url, port, demo, users, close() }`; `demo` is the DemoServer (its store, tokenFor).
 */
export async function startDemoHost({ port = 5173, host = '127.0.0.1', dbPath = '.vault-data/demo.db', secret, root = DEMO_DIST } = {}) {
  if (!existsSync(root)) throw new Error('demo-dist/ is missing: run npm run build first.');
  if (!existsSync(fileURLToPath(DEMO_SERVER))) throw new Error('dist/server/ is missing: run npm run build first.');
  const { startDemoServer, DEMO_USERS } = await import(DEMO_SERVER.href);
  // startDemoServer also listens on a port of its own; port 0 keeps it out of the way.
  const demo = await startDemoServer({ port: 0, host: '127.0.0.1', dbPath, ...(secret === undefined ? {} : { secret }) });
  let site;
  try {
    const sync = fetchHandler(SYNC_PREFIX, (request) => demo.server.handler(request), { maxBodyBytes: demo.server.limits.maxBodyBytes });
    site = await startStaticServer({ root, port, host, handlers: [sync] });
  } catch (error) {
    await demo.close();
    throw error;
  }
  let closing;
  return {
    url: site.url,
    port: site.port,
    demo,
    users: DEMO_USERS,
    close() {
      closing ??= site.close().finally(() => demo.close());
      return closing;
    },
  };
}

/** "ann, bob (Sales), meg (Manager), aud (Auditor)" */
function describeUsers(users) {
  const byRoles = new Map();
  for (const [name, roles] of Object.entries(users)) {
    const key = roles.join(', ');
    byRoles.set(key, [...(byRoles.get(key) ?? []), name]);
  }
  return [...byRoles].map(([roles, names]) => `${names.join(', ')} (${roles})`).join(', ');
}

async function main() {
  let host;
  try {
    host = await startDemoHost({ port: Number(process.env.PORT ?? 5173), dbPath: process.env.VAULT_DB ?? '.vault-data/demo.db', secret: process.env.DEMO_SECRET });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  // A host name, not an IP: WebAuthn (passkey protection) refuses IP addresses as relying party.
  console.log(`offline-vault demo: ${host.url.replace('//127.0.0.1:', '//localhost:')}`);
  console.log(`sign in as ${describeUsers(host.users)} · sync server at ${host.url.replace("//127.0.0.1:", "//localhost:")}sync/v1/ · Ctrl-C stops`);
  const stop = () => {
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
