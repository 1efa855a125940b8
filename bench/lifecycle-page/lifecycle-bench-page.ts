// Page side of bench/lifecycle-bench.mjs: encryption lifecycle timings (issue 6) on real IndexedDB.
import Dexie from 'dexie';
import { openVault, type Vault } from '../../src/index.js';
import { defineApp } from '../../src/app/index.js';

const ENTITY = 'Bench.Item';
const CATEGORIES = 10;
const PASSPHRASE = 'correct horse battery staple bench';

// Same entity and record shape as the store bench (bench/page): ~1 KB, three indexed attributes.
const app = defineApp({
  entities: {
    [ENTITY]: {
      attributes: { Category: 'string', Code: 'string', Rank: 'integer', Text: 'string', Amount: 'decimal' },
      indexes: ['Category', 'Code', 'Rank'],
      expectedCount: 10_000,
    },
  },
});

interface BenchItem {
  id: string;
  Category: string;
  Code: string;
  Rank: number;
  Text: string;
  Amount: string;
}

const WORDS = 'order customer invoice delivery street city amount paid open closed note photo visit rep manager account phone email address north south east west market product item price total tax discount'.split(' ');

function randomWord(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
  let s = '';
  for (const b of crypto.getRandomValues(new Uint8Array(length))) s += alphabet[b % alphabet.length];
  return s;
}

function prose(length: number): string {
  const picks = crypto.getRandomValues(new Uint8Array(length));
  let s = '';
  for (let i = 0; s.length < length; i++) s += `${WORDS[picks[i % length]! % WORDS.length]} `;
  return s.slice(0, length);
}

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

const vaultDb = (name: string) => `offline-vault/${name}`;
const rows = (items: BenchItem[]) => items as unknown as Record<string, unknown>[];
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** Sequential `get(randomId)` latencies (ms): `count` of them, or until `until` settles. */
async function readLoop(vault: Vault, ids: readonly string[], options: { count?: number; until?: Promise<unknown> }): Promise<number[]> {
  const table = vault.table(ENTITY);
  let settled = false;
  void options.until?.finally(() => (settled = true)).catch(() => undefined);
  const times: number[] = [];
  while (options.until === undefined ? times.length < options.count! : !settled) {
    const t = performance.now();
    const got = await table.get(pick(ids));
    times.push(performance.now() - t);
    if (got === undefined) throw new Error('bench read found no record');
  }
  return times;
}

/** Opens a plaintext vault holding `items` (writes not timed). */
async function plaintextVault(name: string, items: BenchItem[], batch: number | undefined): Promise<Vault> {
  const vault = await openVault({ name, app, encryption: { database: false }, requestPersistence: false, ...(batch === undefined ? {} : { reencryptBatchSize: batch }) });
  await vault.table(ENTITY).bulkPut(rows(items));
  return vault;
}

/** Times `work`, also reporting the rows the re-encryption walked (records + outbox + bookkeeping). */
async function timed(work: (onProgress: (p: { total: number }) => void) => Promise<void>): Promise<{ ms: number; rows: number }> {
  let total = 0;
  const t = performance.now();
  await work((p) => (total = p.total));
  return { ms: performance.now() - t, rows: total };
}

export interface LifecycleRun {
  count: number;
  dexieBulkPut: number;
  /** enableEncryption with nothing else running. */
  migrate: { ms: number; rows: number };
  /** enableEncryption while a read loop runs. */
  migrateLoaded: { ms: number; rows: number };
  readsIdlePlain: number[];
  readsDuringMigration: number[];
  readsIdleEncrypted: number[];
  rotate: { ms: number; rows: number };
  readsDuringRotation: number[];
  protect: { ms: number; rows: number };
  open: number;
  unlock: number;
}

/** One repetition on fresh databases; times in milliseconds. */
async function runOnce(count: number, idleReads: number, batch?: number): Promise<LifecycleRun> {
  const items = makeItems(count);
  const ids = items.map((i) => i.id);
  const tag = crypto.randomUUID();
  const dexieName = `lifecycle-dexie-${tag}`;
  const quiet = `lifecycle-a-${tag}`;
  const loaded = `lifecycle-b-${tag}`;
  try {
    // Context: plain Dexie writing the same records.
    const db = new Dexie(dexieName);
    db.version(1).stores({ items: 'id, Category, Code, Rank' });
    await db.open();
    let t = performance.now();
    await db.table('items').bulkPut(items);
    const dexieBulkPut = performance.now() - t;
    db.close();

    // Migration throughput, nothing else running.
    let vault = await plaintextVault(quiet, items, batch);
    const migrate = await timed((onProgress) => vault.enableEncryption({ onProgress }));
    vault.close();

    // Migration with the app reading meanwhile, against the same reads on an idle vault.
    vault = await plaintextVault(loaded, items, batch);
    const readsIdlePlain = await readLoop(vault, ids, { count: idleReads });
    // timed() calls enableEncryption synchronously, so the migration has started when it returns.
    const migrating = timed((onProgress) => vault.enableEncryption({ onProgress }));
    const readsDuringMigration = await readLoop(vault, ids, { until: migrating });
    const migrateLoaded = await migrating;
    const readsIdleEncrypted = await readLoop(vault, ids, { count: idleReads });

    // Rotation of the now encrypted vault (reads running, as in an app).
    const rotating = timed((onProgress) => vault.rotateKeys({ onProgress }));
    const readsDuringRotation = await readLoop(vault, ids, { until: rotating });
    const rotate = await rotating;

    // device -> passphrase: one PBKDF2 plus a re-encryption of every row.
    const protect = await timed((onProgress) => vault.setProtection({ level: 'passphrase', passphrase: PASSPHRASE }, { onProgress }));
    vault.close();

    // Unlock: a cold open of the protected vault (opens locked), then unlock with the passphrase.
    t = performance.now();
    vault = await openVault({ name: loaded, app, requestPersistence: false });
    const open = performance.now() - t;
    if (!vault.locked) throw new Error('a passphrase vault should open locked');
    t = performance.now();
    await vault.unlock({ passphrase: PASSPHRASE });
    const unlock = performance.now() - t;
    if ((await vault.table(ENTITY).get(ids[0]!)) === undefined) throw new Error('unlocked vault lost a record');
    vault.close();

    return { count, dexieBulkPut, migrate, migrateLoaded, readsIdlePlain, readsDuringMigration, readsIdleEncrypted, rotate, readsDuringRotation, protect, open, unlock };
  } finally {
    await Promise.all([deleteDatabase(dexieName), deleteDatabase(vaultDb(quiet)), deleteDatabase(vaultDb(loaded))]);
  }
}

declare global {
  interface Window {
    lifecycleBench(count: number, idleReads: number, batch?: number): Promise<LifecycleRun>;
  }
}
window.lifecycleBench = runOnce;
document.getElementById('status')!.textContent = 'ready';
