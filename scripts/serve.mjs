#!/usr/bin/env node
// Serves the built demo (demo-dist/) on 127.0.0.1: PORT env or 5173, else the next free port.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './static-server.mjs';

const root = fileURLToPath(new URL('../demo-dist/', import.meta.url));
if (!existsSync(root)) {
  console.error('demo-dist/ is missing: run npm run build first.');
  process.exit(1);
}
const { port } = await startStaticServer({ root, port: Number(process.env.PORT ?? 5173), host: '127.0.0.1' });
console.log(`offline-vault demo: http://127.0.0.1:${port}/`);
