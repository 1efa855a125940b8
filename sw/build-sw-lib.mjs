#!/usr/bin/env node
// Builds the 'offline-vault/sw' entry into dist/sw/ (run after `tsc -p tsconfig.build.json`).
// sw/ sits beside src/ and imports it as '../src/...'; tsc emits both under a scratch directory,
// and the sw files are copied to dist/sw/ with those imports pointing at the library already in
// dist/ ('../files/index.js'), so the package ships one copy of the library code.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const scratch = new URL('../dist/.sw-build/', import.meta.url);
const out = new URL('../dist/sw/', import.meta.url);
const tsc = fileURLToPath(new URL('../node_modules/.bin/tsc', import.meta.url));

rmSync(scratch, { recursive: true, force: true });
const result = spawnSync(tsc, ['-p', 'sw/tsconfig.build.json'], { cwd: repo, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const built = new URL('sw/', scratch);
for (const name of readdirSync(built)) {
  const text = readFileSync(new URL(name, built), 'utf8');
  // '../src/x.js' (and deeper '../../src/') -> '../x.js': the same module in dist/.
  const rewritten = text.replace(/(['"])((?:\.\.\/)+)src\//g, '$1$2');
  writeFileSync(new URL(name, out), rewritten);
}
rmSync(scratch, { recursive: true, force: true });
console.log('> offline-vault/sw -> dist/sw/');
