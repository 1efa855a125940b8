import type { CDPSession, Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';

/**
 * A 50 MB file written from a stream generated in the page and read back chunk by chunk through
 * `vault.files.stream`, with the renderer's memory sampled over CDP. The bound is on the live set
 * (sampled right after a forced GC), so V8's choice of when to collect garbage cannot fail the
 * test; ArrayBuffer backing stores (where segments live) are counted, which JSHeapUsedSize alone
 * would not see. A control that keeps every chunk shows the meter does see a leak.
 */

const SIZE = 50_000_000;
const LIMIT = 16 * 1024 * 1024;
/** Bytes the control keeps alive: well above LIMIT. */
const CONTROL_SIZE = 32 * 1024 * 1024;
const SAMPLE_EVERY_MS = 40;

const memoryApp = {
  entities: { 'Mem.Blob': { file: 'file' as const, attributes: { Name: 'string' as const } } },
};

/** One memory reading of the page's renderer, in bytes. */
interface Reading {
  /** V8 heap in use (Performance.getMetrics JSHeapUsedSize). */
  jsHeap: number;
  /** JS heap + embedder heap + ArrayBuffer backing stores (Runtime.getHeapUsage). */
  total: number;
}

async function read(cdp: CDPSession): Promise<Reading> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number };
  const jsHeap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
  if (jsHeap === undefined) throw new Error('JSHeapUsedSize is missing from Performance.getMetrics');
  return { jsHeap, total: usage.usedSize + (usage.embedderHeapUsedSize ?? 0) + (usage.backingStorageSize ?? 0) };
}

/**
 * The live set: a reading right after a full GC. Twice: ArrayBuffer backing stores freed by the
 * first are released by V8's concurrent sweeper, which the second GC waits for.
 */
async function live(cdp: CDPSession): Promise<Reading> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return read(cdp);
}

/** Growth above idle of the worse of two readings, field by field. */
interface Peak {
  jsHeap: number;
  total: number;
}

/**
 * Runs `work` in the page while sampling the live set every SAMPLE_EVERY_MS; resolves the work's
 * result and the peak growth above `idle`. Checklist:
 * - sampling stops only after the work settled, and a last sample is taken after it, so a leak
 *   that survives the work is always seen;
 * - a sample above half the limit is confirmed by an immediate second reading and counts as the
 *   smaller of the two: buffers in flight between tasks (a sealed batch, a result being
 *   delivered) drain between the readings, memory that is kept does not;
 * - `spikes` keeps the highest unconfirmed reading, for the report only.
 */
async function peakDuring<T>(cdp: CDPSession, idle: Reading, work: Promise<T>): Promise<{ result: T; peak: Peak; spike: number; samples: number }> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  done.catch(() => undefined);
  const peak: Peak = { jsHeap: 0, total: 0 };
  let spike = 0;
  let samples = 0;
  const growth = (r: Reading): Peak => ({ jsHeap: r.jsHeap - idle.jsHeap, total: r.total - idle.total });
  const take = async (): Promise<void> => {
    let g = growth(await live(cdp));
    spike = Math.max(spike, g.total);
    if (g.total > LIMIT / 2 || g.jsHeap > LIMIT / 2) {
      const again = growth(await live(cdp));
      g = { jsHeap: Math.min(g.jsHeap, again.jsHeap), total: Math.min(g.total, again.total) };
    }
    peak.jsHeap = Math.max(peak.jsHeap, g.jsHeap);
    peak.total = Math.max(peak.total, g.total);
    samples++;
  };
  while (!settled) {
    await take();
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
  }
  const result = await done;
  await take();
  return { result, peak, spike, samples };
}

/** Installs `window.memTest`: the vault, a deterministic generator, a writer and a checking reader. */
async function setUp(page: Page): Promise<void> {
  await page.evaluate(
    async ({ spec, size }) => {
      const app = window.ov.defineApp(spec);
      const vault = await window.ov.openVault({ name: 'memory-50mb', app, encryption: { database: true, files: true } });
      const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
      const mix = (k: number): number => {
        let x = Math.imul(k ^ (k >>> 16), 0x45d9f3b);
        x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
        return (x ^ (x >>> 16)) >>> 0;
      };
      /** Byte p of the file: distinct per position, so reordered or spliced segments differ. */
      const fill = (out: Uint8Array, at: number): void => {
        for (let i = 0; i < out.length; i++) {
          const p = at + i;
          out[i] = (mix((p >>> 2) ^ seed) >>> ((p & 3) << 3)) & 255;
        }
      };
      /** FNV-1a over the bytes, two lanes (64 bits). */
      const hasher = () => {
        let a = 0x811c9dc5;
        let b = 0x01000193 ^ seed;
        return {
          update(bytes: Uint8Array) {
            for (let i = 0; i < bytes.length; i++) {
              a = Math.imul(a ^ bytes[i]!, 0x01000193);
              b = Math.imul(b ^ bytes[i]!, 0x5bd1e995);
            }
          },
          digest: () => `${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`,
        };
      };
      // 40 KiB pieces: segment boundaries fall inside them, so put re-chunks the stream.
      const PIECE = 40 * 1024;
      const write = async () => {
        const hash = hasher();
        let sent = 0;
        const source = new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              if (sent >= size) {
                controller.close();
                return;
              }
              const piece = new Uint8Array(Math.min(PIECE, size - sent));
              fill(piece, sent);
              hash.update(piece);
              sent += piece.length;
              controller.enqueue(piece);
            },
          },
          { highWaterMark: 0 },
        );
        const stored = await vault.files.put('Mem.Blob', 'big', source, { contentType: 'application/octet-stream' });
        return { size: stored.size, hash: hash.digest() };
      };
      /** Reads `[0, end)` chunk by chunk; `keep` holds every chunk (the leak of the control). */
      const read = async (end: number | undefined, keep: boolean) => {
        const hash = hasher();
        const kept: Uint8Array[] = [];
        const reader = (await vault.files.stream('big', end === undefined ? {} : { end })).getReader();
        let at = 0;
        let mismatches = 0;
        let chunks = 0;
        const expected = new Uint8Array(64 * 1024);
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash.update(value);
          const want = expected.length >= value.length ? expected.subarray(0, value.length) : new Uint8Array(value.length);
          fill(want, at);
          for (let i = 0; i < value.length; i++) if (value[i] !== want[i]) mismatches++;
          at += value.length;
          chunks++;
          if (keep) kept.push(value);
        }
        (window as unknown as { memKept?: Uint8Array[] }).memKept = kept;
        return { size: at, chunks, mismatches, hash: hash.digest() };
      };
      const info = async () => vault.files.info('big');
      (window as unknown as { memTest: unknown }).memTest = { write, read, info };
    },
    { spec: memoryApp, size: SIZE },
  );
}

interface MemTest {
  write(): Promise<{ size: number; hash: string }>;
  read(end: number | undefined, keep: boolean): Promise<{ size: number; chunks: number; mismatches: number; hash: string }>;
  info(): Promise<{ size: number; encrypted: boolean } | undefined>;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

test('a 50 MB encrypted file is written from a stream and read back chunk by chunk with the live heap under 16 MiB above idle', async ({ harness }, testInfo) => {
  test.setTimeout(180_000);
  const cdp = await harness.context().newCDPSession(harness);
  await cdp.send('Performance.enable');
  await setUp(harness);
  const idle = await live(cdp);

  const write = await peakDuring(cdp, idle, harness.evaluate(() => (window as unknown as { memTest: MemTest }).memTest.write()));
  const info = await harness.evaluate(() => (window as unknown as { memTest: MemTest }).memTest.info());
  const back = await peakDuring(cdp, idle, harness.evaluate(() => (window as unknown as { memTest: MemTest }).memTest.read(undefined, false)));
  // Control: the same meter on a reader that keeps its chunks must see them.
  const control = await peakDuring(cdp, idle, harness.evaluate((end) => (window as unknown as { memTest: MemTest }).memTest.read(end, true), CONTROL_SIZE));
  await harness.evaluate(() => delete (window as unknown as { memKept?: unknown }).memKept);

  const report = {
    write: { jsHeap: mib(write.peak.jsHeap), total: mib(write.peak.total), unconfirmedSpike: mib(write.spike), samples: write.samples },
    read: { jsHeap: mib(back.peak.jsHeap), total: mib(back.peak.total), unconfirmedSpike: mib(back.spike), samples: back.samples },
    control: { total: mib(control.peak.total) },
  };
  testInfo.annotations.push({ type: 'memory above idle (live set)', description: JSON.stringify(report) });

  expect(info).toMatchObject({ size: SIZE, encrypted: true });
  expect(write.result.size).toBe(SIZE);
  expect(back.result).toEqual({ size: SIZE, chunks: Math.ceil(SIZE / 65_536), mismatches: 0, hash: write.result.hash });
  expect(write.samples).toBeGreaterThanOrEqual(2);
  expect(back.samples).toBeGreaterThanOrEqual(2);
  expect(write.peak.jsHeap).toBeLessThan(LIMIT);
  expect(write.peak.total).toBeLessThan(LIMIT);
  expect(back.peak.jsHeap).toBeLessThan(LIMIT);
  expect(back.peak.total).toBeLessThan(LIMIT);
  expect(control.result).toMatchObject({ size: CONTROL_SIZE, mismatches: 0 });
  expect(control.peak.total).toBeGreaterThan(LIMIT);
});
