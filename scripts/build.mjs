#!/usr/bin/env node
// Builds the library (tsc -> dist/, .js + .d.ts), the service-worker module (dist/sw/), then the
// demo, its service worker and the e2e pages (Vite + workbox-build injectManifest -> demo-dist/).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

function run(label, command, args) {
  console.log(`> ${label}`);
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build failed at: ${label}`);
    process.exit(result.status ?? 1);
  }
}

// A clean dist/ so files deleted from src/ do not linger in the package.
rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
run('tsc -p tsconfig.build.json', bin('tsc'), ['-p', 'tsconfig.build.json']);
run('offline-vault/sw', process.execPath, ['sw/build-sw-lib.mjs']);
run('vite build', bin('vite'), ['build', '--logLevel', 'warn']);
