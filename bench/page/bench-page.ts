import { databaseOf, openContender, type BenchItem, type ContenderKind } from './contenders.js';

const CATEGORIES = 10;

function randomWord(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

const WORDS = 'order customer invoice delivery street city amount paid open closed note photo visit rep manager account phone email address north south east west market product item price total tax discount'.split(' ');

/** Text like a person's notes (words, not random bytes), so a store that compresses can. */
function prose(length: number): string {
  const picks = crypto.getRandomValues(new Uint8Array(length));
  let s = '';
  for (let i = 0; s.length < length; i++) s += `${WORDS[picks[i % length]! % WORDS.length]} `;
  return s.slice(0, length);
}

/** `count` records of about 1 KB each (UTF-8), 10 categories so a category query returns ~10%. */
function makeItems(count: number): BenchItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: crypto.randomUUID(),
    Category: `category-${i % CATEGORIES}`,
    Code: randomWord(12),
    Rank: i,
    Text: prose(900),
    Amount: `${i}.${i % 100}`,
  }));
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => resolve();
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface RunResult {
  bulkPut: number;
  bulkGet: number;
  query: number;
  queryRows: number;
  put: number;
  get: number;
}

/** One repetition for one contender on a fresh database; times in milliseconds. */
async function runOnce(kind: ContenderKind, count: number, singles: number): Promise<RunResult> {
  const name = `bench-${kind}-${crypto.randomUUID()}`;
  const items = makeItems(count);
  const ids = items.map((i) => i.id);
  const c = await openContender(kind, name);
  try {
    let t = performance.now();
    await c.bulkPut(items);
    const bulkPut = performance.now() - t;

    t = performance.now();
    const got = await c.bulkGet(ids);
    const bulkGet = performance.now() - t;
    if (got.filter(Boolean).length !== count) throw new Error(`${kind}: bulkGet returned ${got.filter(Boolean).length} of ${count}`);

    t = performance.now();
    const rows = await c.queryCategory('category-3');
    const query = performance.now() - t;

    const putTimes: number[] = [];
    const getTimes: number[] = [];
    const extra = makeItems(singles);
    for (let i = 0; i < singles; i++) {
      t = performance.now();
      await c.put(extra[i]!);
      putTimes.push(performance.now() - t);
      t = performance.now();
      await c.get(ids[(i * 37) % count]!);
      getTimes.push(performance.now() - t);
    }
    return { bulkPut, bulkGet, query, queryRows: rows.length, put: median(putTimes), get: median(getTimes) };
  } finally {
    await c.close();
    await deleteDatabase(databaseOf(kind, name));
  }
}

/** Writes `count` records and keeps them, so the runner can measure the profile on disk. */
async function fill(kind: ContenderKind, count: number): Promise<void> {
  const c = await openContender(kind, `disk-${kind}`);
  await c.bulkPut(makeItems(count));
  await c.close();
}

declare global {
  interface Window {
    runBench(kind: ContenderKind, count: number, singles: number): Promise<RunResult>;
    fill(kind: ContenderKind, count: number): Promise<void>;
  }
}
window.runBench = runOnce;
window.fill = fill;
document.getElementById('status')!.textContent = 'ready';
