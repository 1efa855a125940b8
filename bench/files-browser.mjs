// File store benchmark in Chromium (issue 5): write and read a 64 MiB file through vault.files
// with file encryption on and off (median of N, interleaved), raw WebCrypto AES-GCM over 64 KiB
// chunks in the same page, peak memory above idle during each (CDP), and time to first byte of a
// photo served by the offline-vault service worker (demo-dist/sw-test/, needs `npm run build`).
// Usage: node bench/files-browser.mjs [--mib 64] [--runs 5] [--memory-runs 2] [--ttfb-runs 30]
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
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
const MIB = option('mib', 64);
const RUNS = option('runs', 5);
const TTFB_RUNS = option('ttfb-runs', 30);
const MEMORY_RUNS = option('memory-runs', 2);
const SIZE = MIB * 1024 * 1024;
const KINDS = ['plain', 'encrypted'];
const SAMPLE_MS = 20;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const outDir = await mkdtemp(join(tmpdir(), 'ov-files-bench-'));
await build({ root: join(here, 'files-page'), configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' } });
const server = await startStaticServer({ root: outDir, port: 0 });
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });

/** Memory of the page's renderer in bytes: V8 heap (JSHeapUsedSize) and heap + ArrayBuffers. */
async function reading(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const usage = await cdp.send('Runtime.getHeapUsage');
  const jsHeap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  return { jsHeap, total: usage.usedSize + (usage.embedderHeapUsedSize ?? 0) + (usage.backingStorageSize ?? 0) };
}

/** Runs `work` while sampling memory every SAMPLE_MS without forcing GC: peak growth above `idle`. */
async function sampled(cdp, idle, work) {
  let settled = false;
  const done = work.finally(() => (settled = true));
  done.catch(() => undefined);
  const peak = { jsHeap: 0, total: 0 };
  while (!settled) {
    const r = await reading(cdp);
    peak.jsHeap = Math.max(peak.jsHeap, r.jsHeap - idle.jsHeap);
    peak.total = Math.max(peak.total, r.total - idle.total);
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
  return { result: await done, peak };
}

async function idleReading(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return reading(cdp);
}

// --- vault.files: encrypted vs plain, and raw AES-GCM -------------------------------------------
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.goto(server.url);
await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');

const runs = Object.fromEntries(KINDS.map((k) => [k, []]));
// Warm-up (JIT, IndexedDB backend start-up), not counted.
for (const kind of KINDS) {
  await page.evaluate(([k, s]) => window.filesBench.write(k, s), [kind, 4 * 1024 * 1024]);
  await page.evaluate((k) => window.filesBench.read(k), kind);
  await page.evaluate((k) => window.filesBench.remove(k), kind);
}
// Timed runs are not sampled: CDP heap calls every 20 ms slow the page by up to ~40%.
for (let run = 0; run < RUNS; run++) {
  // Interleaved, so drift of the machine affects both alike.
  for (const kind of KINDS) {
    const writeMs = await page.evaluate(([k, s]) => window.filesBench.write(k, s), [kind, SIZE]);
    const read = await page.evaluate((k) => window.filesBench.read(k), kind);
    if (read.bytes !== SIZE) throw new Error(`${kind}: read ${read.bytes} bytes, expected ${SIZE}`);
    await page.evaluate((k) => window.filesBench.remove(k), kind);
    runs[kind].push({ writeMs, readMs: read.ms });
  }
  process.stderr.write(`files run ${run + 1}/${RUNS} done\n`);
}
// Memory: separate runs, sampled; the peak of MEMORY_RUNS runs per kind and operation.
const peaks = Object.fromEntries(KINDS.map((k) => [k, { write: { jsHeap: 0, total: 0 }, read: { jsHeap: 0, total: 0 } }]));
const worse = (into, p) => {
  into.jsHeap = Math.max(into.jsHeap, p.jsHeap);
  into.total = Math.max(into.total, p.total);
};
for (let run = 0; run < MEMORY_RUNS; run++) {
  for (const kind of KINDS) {
    const w = await sampled(cdp, await idleReading(cdp), page.evaluate(([k, s]) => window.filesBench.write(k, s), [kind, SIZE]));
    const r = await sampled(cdp, await idleReading(cdp), page.evaluate((k) => window.filesBench.read(k), kind));
    await page.evaluate((k) => window.filesBench.remove(k), kind);
    worse(peaks[kind].write, w.peak);
    worse(peaks[kind].read, r.peak);
  }
}
const rawRuns = [];
for (let run = 0; run < RUNS; run++) rawRuns.push(await page.evaluate((s) => window.filesBench.raw(s), SIZE));
await page.close();

// --- service worker: time to first byte of a photo ----------------------------------------------
const demoDist = fileURLToPath(new URL('../demo-dist/', import.meta.url));
let ttfb;
if (existsSync(join(demoDist, 'sw-test', 'index.html'))) {
  const demo = await startStaticServer({ root: demoDist, port: 0 });
  const context = await browser.newContext();
  const swPage = await context.newPage();
  await swPage.goto(`${demo.url}sw-test/`);
  await swPage.waitForFunction(() => window.swApp?.ready === true);
  await swPage.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  ttfb = await swPage.evaluate(async (count) => {
    const { vault, makeBitmap } = window.swApp;
    const photo = await vault.table('Gallery.Photo').put({ Caption: 'bench' });
    const bitmap = makeBitmap('bench-canary-xyz');
    await vault.files.put('Gallery.Photo', photo, new Blob([bitmap], { type: 'image/bmp' }));
    const url = vault.files.url(photo);
    const times = [];
    let firstByte = 0;
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      const response = await fetch(url, { cache: 'no-store' });
      const reader = response.body.getReader();
      const first = await reader.read(); // the first body chunk: decrypted segment 0
      const ms = performance.now() - t;
      if (response.status !== 200 || first.done || first.value[0] !== 0x42) throw new Error(`unexpected answer ${response.status}`);
      await reader.cancel();
      times.push(ms);
      if (i === 0) firstByte = ms;
    }
    return { first: firstByte, times, size: bitmap.length };
  }, TTFB_RUNS);
  await context.close();
  await demo.close();
}
await browser.close();
await server.close();
await rm(outDir, { recursive: true, force: true });

// --- report ---------------------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mbps = (ms) => SIZE / 1e6 / (ms / 1000);
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)}`;
const med = (kind, pick) => median(runs[kind].map(pick));
const rows = [];
for (const [op, key] of [['write', 'writeMs'], ['read', 'readMs']]) {
  const plain = med('plain', (r) => r[key]);
  for (const kind of KINDS) {
    const ms = med(kind, (r) => r[key]);
    rows.push([
      `${op} ${kind}`,
      `${ms.toFixed(0)} ms`,
      `${mbps(ms).toFixed(0)} MB/s`,
      kind === 'plain' ? '1.00x' : `${(ms / plain).toFixed(2)}x`,
      `${mib(peaks[kind][op].jsHeap)} MiB`,
      `${mib(peaks[kind][op].total)} MiB`,
    ]);
  }
}
const rawEnc = median(rawRuns.map((r) => r.encryptMs));
const rawDec = median(rawRuns.map((r) => r.decryptMs));
rows.push(['raw AES-GCM encrypt', `${rawEnc.toFixed(0)} ms`, `${mbps(rawEnc).toFixed(0)} MB/s`, '', '', '']);
rows.push(['raw AES-GCM decrypt', `${rawDec.toFixed(0)} ms`, `${mbps(rawDec).toFixed(0)} MB/s`, '', '', '']);
const header = ['operation', 'time', 'throughput', 'vs plain', 'JS heap peak', 'heap+ArrayBuffers peak'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(`\noffline-vault files benchmark (Chromium): ${MIB} MiB file, 64 KiB chunks, median of ${RUNS} runs`);
console.log(`memory: peak above an idle baseline (after a forced GC) over ${MEMORY_RUNS} separate runs, sampled every ${SAMPLE_MS} ms over CDP without forcing GC (garbage included)\n`);
console.log(line(header));
for (const r of rows) console.log(line(r));
const ratio = (key) => med('encrypted', (r) => r[key]) / med('plain', (r) => r[key]);
const ok = (x) => (x <= 1.3 ? 'meets' : 'misses');
console.log(`\nencrypted/plain: write ${ratio('writeMs').toFixed(2)}x (${ok(ratio('writeMs'))} 1.3x), read ${ratio('readMs').toFixed(2)}x (${ok(ratio('readMs'))} 1.3x)`);
console.log(`encrypted vs raw AES-GCM: write at ${((mbps(med('encrypted', (r) => r.writeMs)) / mbps(rawEnc)) * 100).toFixed(0)}% of raw encrypt, read at ${((mbps(med('encrypted', (r) => r.readMs)) / mbps(rawDec)) * 100).toFixed(0)}% of raw decrypt`);
if (ttfb) {
  const sorted = [...ttfb.times].sort((a, b) => a - b);
  console.log(
    `service worker photo (${ttfb.size} B encrypted BMP, /vault-files/ route), time to first body byte: ` +
      `first fetch ${ttfb.first.toFixed(1)} ms, median ${median(ttfb.times).toFixed(1)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)} ms over ${ttfb.times.length} fetches`,
  );
} else {
  console.log('service worker photo TTFB: not measured (demo-dist/sw-test/ missing: run `npm run build` first)');
}
