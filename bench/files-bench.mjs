// File store benchmark (issue 5): write and read a 64 MiB file with file encryption on and off,
// raw WebCrypto AES-GCM in 64 KiB chunks for reference, and heap growth while streaming.
// Runs in plain Node on the built package (dist/, `npm run build` first) with Node's WebCrypto
// and fake-indexeddb (an in-memory IndexedDB in the JS heap): absolute numbers are not a
// browser's, the encrypted/plain ratio is the figure of merit. Heap is sampled with
// `--expose-gc` when available (stored bytes are ArrayBuffers, outside heapUsed). Usage: node --expose-gc bench/files-bench.mjs [--mib 64] [--runs 3]
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { defineApp } from '../dist/app/index.js';
import { openVault } from '../dist/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MIB = option('mib', 64);
const RUNS = option('runs', 3);
const SIZE = MIB * 1024 * 1024;
const SEG = 64 * 1024;
const gc = globalThis.gc ?? (() => undefined);

const app = defineApp({ entities: { 'Bench.File': { file: 'file', attributes: { Name: 'string' } } } });
const pattern = new Uint8Array(SEG);
crypto.getRandomValues(pattern);

/** A 64 KiB-chunked source generated on demand (never the whole file in memory). */
function source() {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= SIZE) return controller.close();
      const n = Math.min(SEG, SIZE - sent);
      controller.enqueue(pattern.slice(0, n));
      sent += n;
    },
  });
}

function heapSampler() {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  return {
    sample() {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
    stop() {
      clearInterval(timer);
      return (peak - base) / 1024 / 1024;
    },
  };
}

async function runOnce(encrypt) {
  const vault = await openVault({
    name: `bench-${encrypt}`,
    app,
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    requestPersistence: false,
    encryption: { database: encrypt, files: encrypt },
    files: { maxFileSize: SIZE },
  });
  const writeHeap = heapSampler();
  let t = performance.now();
  await vault.files.put('Bench.File', 'f1', source(), { contentType: 'application/octet-stream' });
  const writeMs = performance.now() - t;
  const writeGrowth = writeHeap.stop();
  const readHeap = heapSampler();
  t = performance.now();
  const reader = (await vault.files.stream('f1')).getReader();
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.byteLength;
    readHeap.sample();
  }
  const readMs = performance.now() - t;
  const readGrowth = readHeap.stop();
  if (read !== SIZE) throw new Error(`read ${read} bytes, expected ${SIZE}`);
  vault.close();
  return { writeMs, readMs, writeGrowth, readGrowth };
}

async function rawCrypto() {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12);
  const count = SIZE / SEG;
  let t = performance.now();
  let ct;
  for (let i = 0; i < count; i++) ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, pattern);
  const enc = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < count; i++) await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ct);
  return { enc, dec: performance.now() - t };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (ms) => (SIZE / 1e6 / (ms / 1000)).toFixed(0);
const results = { plain: [], encrypted: [] };
for (let r = 0; r < RUNS; r++) {
  results.plain.push(await runOnce(false));
  results.encrypted.push(await runOnce(true));
}
const raw = await rawCrypto();
console.log(`files-bench: ${MIB} MiB file, ${RUNS} runs, Node ${process.version}, WebCrypto + fake-indexeddb${globalThis.gc ? '' : ' (no --expose-gc: heap figures are noisy)'}`);
for (const kind of ['plain', 'encrypted']) {
  const rs = results[kind];
  const w = median(rs.map((x) => x.writeMs));
  const rd = median(rs.map((x) => x.readMs));
  console.log(
    `  ${kind.padEnd(9)} write ${w.toFixed(0)} ms (${mbps(w)} MB/s)  read ${rd.toFixed(0)} ms (${mbps(rd)} MB/s)  ` +
      `heap growth: write ${median(rs.map((x) => x.writeGrowth)).toFixed(1)} MiB, read stream ${median(rs.map((x) => x.readGrowth)).toFixed(1)} MiB`,
  );
}
const ratio = (k) => median(results.encrypted.map((x) => x[k])) / median(results.plain.map((x) => x[k]));
console.log(`  encrypted/plain time ratio: write ${ratio('writeMs').toFixed(2)}x, read ${ratio('readMs').toFixed(2)}x (target <= 1.3x)`);
console.log(`  raw AES-GCM 64 KiB chunks: encrypt ${mbps(raw.enc)} MB/s, decrypt ${mbps(raw.dec)} MB/s`);
