#!/usr/bin/env node
// Starts the demo sync server on 127.0.0.1 (PORT env, default 8787) with an embedded SQLite file
// (VAULT_DB env, default .vault-data/demo.db), seeded users ann/bob (Sales), meg (Manager),
// aud (Auditor). Tokens: POST /v1/demo-login { "user": "ann" } (demo only). Needs `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/server/demo/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('dist/server/ is missing: run npm run build first.');
  process.exit(1);
}
const { startDemoServer } = await import(entry.href);
const server = await startDemoServer({
  port: Number(process.env.PORT ?? 8787),
  dbPath: process.env.VAULT_DB ?? '.vault-data/demo.db',
  ...(process.env.DEMO_SECRET ? { secret: process.env.DEMO_SECRET } : {}),
});
console.log(`offline-vault demo sync server: ${server.url}/v1/ (users: ann, bob, meg, aud)`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
