// Encryption lifecycle benchmark in Chromium (issue 6): migration of a plaintext vault in place
// (records/s, and the app's get() latency during it against the same reads with nothing running),
// key rotation (records/s), device -> passphrase protection (re-encryption of every row), and
// unlock of a passphrase vault (PBKDF2-SHA-256, 600,000 iterations). Plain Dexie bulkPut of the
// same records is measured in the same runs for context. Medians of N runs on fresh databases.
// Usage: node bench/lifecycle-bench.mjs [--runs 5] [--count 10000] [--idle-reads 300] [--batch 200]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from '@playwright/test';
import { startStaticServer } from '../scripts/static-server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = option('runs', 5);
const COUNT = option('count', 10_000);
const IDLE_READS = option('idle-reads', 300);
// Rows per re-encryption batch (openVault's reencryptBatchSize); the SDK's default when absent.
const BATCH = args.includes('--batch') ? option('batch', undefined) : undefined;
// The flags of e2e/chromium.ts (a .ts module, so not importable from here).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// A private output directory: other benches and agents build their own pages in parallel.
const outDir = await mkdtemp(join(tmpdir(), 'ov-lifecycle-bench-'));
await build({ root: join(here, 'lifecycle-page'), configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' } });
const server = await startStaticServer({ root: outDir, port: 0 });
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.goto(server.url);
await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');

const results = [];
try {
  // Warm-up (JIT, IndexedDB backend start-up), not counted.
  await page.evaluate(([c, r, b]) => window.lifecycleBench(c, r, b ?? undefined), [Math.min(COUNT, 1000), 50, BATCH ?? null]);
  for (let run = 0; run < RUNS; run++) {
    results.push(await page.evaluate(([c, r, b]) => window.lifecycleBench(c, r, b ?? undefined), [COUNT, IDLE_READS, BATCH ?? null]));
    process.stderr.write(`lifecycle run ${run + 1}/${RUNS} done\n`);
  }
} finally {
  await browser.close();
  await server.close();
  await rm(outDir, { recursive: true, force: true });
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const p95 = (xs) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
};
/** Median over runs of a per-run figure. */
const over = (f) => median(results.map(f));
const ms = (v) => (v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`);
const perSecond = (n, t) => `${Math.round((n / t) * 1000).toLocaleString('en-US')}/s`;

const dexie = over((r) => r.dexieBulkPut);
const rowsOf = (key) => over((r) => r[key].rows);
const job = (label, key) => {
  const t = over((r) => r[key].ms);
  return [label, ms(t), perSecond(COUNT, t), `${rowsOf(key).toLocaleString('en-US')} rows, ${perSecond(rowsOf(key), t)}`, `${(t / dexie).toFixed(1)}x`];
};
const reads = (label, key) => [
  label,
  ms(over((r) => median(r[key]))),
  ms(over((r) => p95(r[key]))),
  String(Math.round(over((r) => r[key].length))),
];

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

console.log(`\noffline-vault lifecycle benchmark: ${COUNT} records of ~1 KB (store bench shape), median of ${RUNS} runs (Chromium)`);
console.log('rows walked = every sealed row the job re-encrypts: the records, the outbox entry of the bulkPut that wrote them, bookkeeping rows\n');
table(
  ['job', 'time', 'records/s', 'rows walked', 'vs Dexie bulkPut'],
  [
    ['plain Dexie bulkPut (context)', ms(dexie), perSecond(COUNT, dexie), '-', '1.0x'],
    job('enableEncryption (migration)', 'migrate'),
    job('enableEncryption, app reading', 'migrateLoaded'),
    job('rotateKeys, app reading', 'rotate'),
    job('setProtection(passphrase)', 'protect'),
  ],
);
console.log(`\napp reads: table.get(randomId) in a sequential loop; median over runs of each run's median / p95 (timer resolution 0.1 ms)`);
table(
  ['reads', 'median', 'p95', 'reads/run'],
  [
    reads('idle, plaintext vault', 'readsIdlePlain'),
    reads('during migration', 'readsDuringMigration'),
    reads('idle, encrypted vault', 'readsIdleEncrypted'),
    reads('during rotation', 'readsDuringRotation'),
  ],
);
console.log(`\npassphrase vault (PBKDF2-SHA-256, 600,000 iterations)`);
table(
  ['step', 'median'],
  [
    ['openVault (opens locked)', ms(over((r) => r.open))],
    ['unlock({ passphrase })', ms(over((r) => r.unlock))],
    ['openVault + unlock', ms(over((r) => r.open + r.unlock))],
  ],
);
