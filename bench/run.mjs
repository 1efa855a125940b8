// Runs the storage benchmark in Chromium and prints medians and ratios against plain Dexie.
// Usage: npm run bench [-- --runs 7 --count 10000]
import { createServer } from 'node:http';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from '@playwright/test';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(here, '../bench-dist');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = option('runs', 7);
const COUNT = option('count', 10_000);
const SINGLES = option('singles', 200);
const KINDS = ['dexie', 'vault-plain', 'vault-encrypted', 'dexie-encrypted'];

await build({ root: join(here, 'page'), logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' } });

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  try {
    const body = await readFile(join(outDir, path === '/' ? 'index.html' : path));
    res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
const browser = await chromium.launch(launchOptions);
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.goto(url);
await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');

const results = Object.fromEntries(KINDS.map((k) => [k, []]));
// Warm-up run per contender (JIT, IndexedDB backend start-up), not counted.
for (const kind of KINDS) await page.evaluate(([k, c]) => window.runBench(k, c, 20), [kind, Math.min(COUNT, 2000)]);
for (let run = 0; run < RUNS; run++) {
  // Interleave contenders so machine drift affects all of them alike.
  for (const kind of KINDS) {
    results[kind].push(await page.evaluate(([k, c, s]) => window.runBench(k, c, s), [kind, COUNT, SINGLES]));
  }
  process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
}
await browser.close();

// Bytes on disk: one fresh profile per contender, filled once, measured after the browser closed
// (what a copied profile holds). navigator.storage.estimate() lags behind writes, so it is not used.
async function directorySize(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await directorySize(path) : (await stat(path)).size;
  }
  return total;
}
const disk = {};
for (const kind of KINDS) {
  const profile = await mkdtemp(join(tmpdir(), 'ov-bench-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: launchOptions.executablePath, args: launchOptions.args });
  const p = await context.newPage();
  await p.goto(url);
  await p.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  await p.evaluate(([k, c]) => window.fill(k, c), [kind, COUNT]);
  await context.close();
  disk[kind] = await directorySize(join(profile, 'Default', 'IndexedDB'));
  await rm(profile, { recursive: true, force: true });
}
server.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const metrics = [
  ['bulkPut', 'ms'],
  ['bulkGet', 'ms'],
  ['query', 'ms'],
  ['put', 'ms'],
  ['get', 'ms'],
];
const med = Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(metrics.map(([m]) => [m, median(results[k].map((r) => r[m]))]))]));
const fmt = (value) => (value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`);
console.log(`\noffline-vault benchmark: ${COUNT} records of ~1 KB, 3 indexed attributes, median of ${RUNS} runs (Chromium)`);
console.log(`query = equality on an indexed attribute returning ${results.dexie[0].queryRows} rows; put/get = median single-operation latency\n`);
const header = ['operation', ...KINDS];
const rows = metrics.map(([m]) => [
  m,
  ...KINDS.map((k) => `${fmt(med[k][m])} (${(med[k][m] / med.dexie[m]).toFixed(2)}x)`),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log(line(['disk', ...KINDS.map((k) => `${(disk[k] / 1e6).toFixed(1)} MB (${(disk[k] / disk.dexie).toFixed(2)}x)`)]));
