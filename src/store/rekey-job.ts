import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import type { ReencryptProgress } from '../core/reencrypt-progress.js';
import { envelopeKeyId } from '../crypto/index.js';
import type { BlobCodec, BlobRow } from './blob-codec.js';
import { BUDGET_PREFIX, parseKeyName } from './keyring-rows.js';
import type { RekeyState, VaultMeta } from './keyring-store.js';
import type { OutboxRow, RecordCodec, StoredRow } from './record-codec.js';
import { FILES_STORE, KEYRING_STORE, META_STORE, OUTBOX_STORE, SYNC_ERRORS_STORE, SYNC_STATE_STORE } from './vault-database.js';
import { fileKeyIdsInUse } from '../files/index.js';
import type { VaultKeys } from './vault-keys.js';

export type { ReencryptProgress };

export interface RekeyDeps {
  db: Dexie;
  app: AppDefinition;
  keys: VaultKeys;
  codec: RecordCodec;
  blobs: BlobCodec;
  batchSize: number;
  onProgress(progress: ReencryptProgress): void;
  /** Re-wraps file headers still on retired file-key generations; resolves with how many remain. */
  rewrapFiles(retire: readonly number[]): Promise<number>;
  /** Stops between batches (page closing, vault closed, locked). */
  shouldStop(): boolean;
  /**
   * Resolves true once no other context seals with a retired generation (0: plaintext), after
   * telling them to reload; false when one still does after a while (the job resumes later).
   */
  othersDone(retired: readonly number[]): Promise<boolean>;
  /** Called after the final step changed the keyring (other tabs reload). */
  onFinished(meta: VaultMeta): Promise<void> | void;
}

type Kind = 'entity' | 'outbox' | 'blob' | 'user';
interface StoreSpec {
  name: string;
  kind: Kind;
}

/** The stores holding sealed rows, in the fixed order a re-encryption walks them. */
export function sealedStores(app: AppDefinition): StoreSpec[] {
  const entities = [...app.entities.values()].filter((e) => e.persistent).map((e) => e.name).sort();
  return [
    ...entities.map((name) => ({ name, kind: 'entity' as const })),
    { name: OUTBOX_STORE, kind: 'outbox' },
    { name: SYNC_ERRORS_STORE, kind: 'blob' },
    { name: SYNC_STATE_STORE, kind: 'blob' },
    { name: META_STORE, kind: 'user' },
  ];
}

function primaryKeyOf(spec: StoreSpec, row: Record<string, unknown>): IDBValidKey {
  if (spec.kind === 'entity') return row['id'] as string;
  if (spec.kind === 'outbox') return row['seq'] as number;
  if (spec.kind === 'user') return row['name'] as string;
  return row['k'] as string;
}

/** Whether a row must move: plaintext, or sealed by a generation other than the primary one. */
function needsWork(spec: StoreSpec, row: Record<string, unknown>, primary: number): boolean {
  if (spec.kind === 'user' && row['name'] !== 'user') return false;
  const e = row['e'];
  return !(e instanceof Uint8Array) || envelopeKeyId(e) !== primary;
}

function sameBytes(a: unknown, b: unknown): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Unchanged since it was read: same envelope bytes, or same plaintext write stamp and content. */
function unchanged(before: Record<string, unknown>, now: Record<string, unknown> | undefined): boolean {
  if (now === undefined) return false;
  if (before['e'] !== undefined || now['e'] !== undefined) return sameBytes(before['e'], now['e']);
  return before['w'] === now['w'] && JSON.stringify(before['d']) === JSON.stringify(now['d']);
}

async function reseal(deps: RekeyDeps, spec: StoreSpec, rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  if (spec.kind === 'entity') {
    const entity = deps.app.entity(spec.name);
    const members = await deps.codec.decodeRows(entity, rows as StoredRow[]);
    return deps.codec.encodeRows(entity, rows.map((r, i) => ({ id: r['id'] as string, members: members[i]! })));
  }
  if (spec.kind === 'outbox') {
    return Promise.all(
      (rows as OutboxRow[]).map(async (r) => ({ ...(await deps.codec.encodeOutbox(r.uid, await deps.codec.decodeOutbox(r))), seq: r.seq })),
    );
  }
  return Promise.all(
    (rows as BlobRow[]).map(async (r) => {
      const sealed = await deps.blobs.seal(spec.name, r.k, await deps.blobs.open(spec.name, r));
      return spec.kind === 'user' ? { ...sealed, name: r['name'] } : sealed;
    }),
  );
}

async function saveProgress(db: Dexie, started: string, update: Partial<RekeyState>): Promise<VaultMeta | undefined> {
  const meta = (await db.table(META_STORE).get('vault')) as VaultMeta | undefined;
  if (meta?.rekey?.started !== started) return undefined; // replaced or finished elsewhere
  const next = { ...meta, rekey: { ...meta.rekey, ...update } };
  await db.table(META_STORE).put(next);
  return next;
}

/**
 * Walks every sealed store and moves each row to the primary generation (or from plaintext).
 * Checklist (crypto.md §3.8, §3.9):
 * - each batch: a readonly read, then crypto outside any transaction, then one readwrite
 *   transaction that writes only rows unchanged since the read (compare-and-set: a row the app
 *   rewrote meanwhile is already sealed with the primary key) and advances the stored cursor;
 * - a page closed mid-way loses at most the batch in flight; the next open resumes at the cursor,
 *   and a rerun of a batch is idempotent (rows already on the primary generation are skipped);
 * - the end is one readwrite transaction over every sealed store and the keyring that checks no
 *   row still needs work, then deletes the retired keys and clears the job: a key is never
 *   destroyed while a row uses it. Rows written meanwhile by a lagging tab send the walk round again.
 * Resolves true when finished, false when stopped.
 */
export async function runRekey(deps: RekeyDeps): Promise<boolean> {
  const { db, keys } = deps;
  const specs = sealedStores(deps.app);
  rounds: for (let round = 0; round < 5; round++) {
    const initial = keys.meta.rekey;
    if (initial === undefined) return true;
    let state: RekeyState = initial;
    const started = state.started;
    const primary = keys.meta.primary ?? 0;
    while (state.store < specs.length) {
      if (deps.shouldStop()) return false;
      const spec: StoreSpec = specs[state.store]!;
      const table = db.table(spec.name);
      const page = (await (state.after === undefined ? table.orderBy(':id') : table.where(':id').above(state.after)).limit(deps.batchSize).toArray()) as Record<string, unknown>[];
      if (page.length === 0) {
        const next = await db.transaction('rw', [META_STORE], () => saveProgress(db, started, { store: state.store + 1, after: undefined }));
        if (next === undefined) {
          await keys.reload();
          continue rounds;
        }
        state = next.rekey!;
        continue;
      }
      const todo = page.filter((row) => needsWork(spec, row, primary));
      const resealed = todo.length === 0 ? [] : await reseal(deps, spec, todo);
      const after = primaryKeyOf(spec, page[page.length - 1]!);
      const done: number = state.done + page.length;
      const saved: VaultMeta | undefined = await db.transaction('rw', [spec.name, META_STORE], async () => {
        const now = (await table.bulkGet(todo.map((r) => primaryKeyOf(spec, r)) as string[])) as (Record<string, unknown> | undefined)[];
        const writes = resealed.filter((_, i) => unchanged(todo[i]!, now[i]));
        if (writes.length > 0) await table.bulkPut(writes);
        return saveProgress(db, started, { after, done });
      });
      if (saved === undefined) {
        // Finished (or replaced by a newer job) in another tab: this tab's keys may not know yet.
        await keys.reload();
        continue rounds;
      }
      state = saved.rekey!;
      deps.onProgress({ kind: state.kind, done: state.done, total: state.total });
    }
    const remainingFiles = await deps.rewrapFiles(state.retireFiles);
    // A tab that has not reloaded yet would seal under a key about to be deleted: wait for it.
    if (!(await deps.othersDone(state.kind === 'migrate' ? [0, ...state.retire] : state.retire))) return false;
    const finished = await finish(deps, specs, started, primary, remainingFiles);
    if (finished !== undefined) {
      await deps.onFinished(finished);
      deps.onProgress({ kind: state.kind, done: state.total, total: state.total });
      return true;
    }
    // Rows sealed meanwhile under a retired key (another tab that had not reloaded): walk again,
    // unless the job ended or was replaced elsewhere (then its state must not be written back).
    await db.transaction('rw', [META_STORE], () => saveProgress(db, started, { store: 0, done: 0, after: undefined }));
    await deps.keys.reload();
  }
  return false;
}

async function finish(deps: RekeyDeps, specs: StoreSpec[], started: string, primary: number, remainingFiles: number): Promise<VaultMeta | undefined> {
  const { db } = deps;
  return db.transaction('rw', [...specs.map((s) => s.name), KEYRING_STORE, FILES_STORE], async () => {
    const meta = (await db.table(META_STORE).get('vault')) as VaultMeta | undefined;
    if (meta?.rekey?.started !== started) return undefined;
    for (const spec of specs) {
      let dirty = false;
      await db.table(spec.name).each((row: Record<string, unknown>) => {
        if (!dirty && needsWork(spec, row, primary)) dirty = true;
      });
      if (dirty) return undefined;
    }
    const retire = new Set(meta.rekey.retire);
    // Counted again inside this transaction: a file written meanwhile under a retired file key keeps it.
    const inUse = remainingFiles === 0 ? await fileKeyIdsInUse(db) : undefined;
    const retireFiles = new Set(inUse === undefined ? [] : meta.rekey.retireFiles.filter((g) => (inUse.get(g) ?? 0) === 0));
    const names = (await db.table(KEYRING_STORE).toCollection().primaryKeys()) as string[];
    const doomed = names.filter((name) => {
      if (name.startsWith(BUDGET_PREFIX)) return retire.has(Number(name.slice(BUDGET_PREFIX.length)));
      const parsed = parseKeyName(name);
      if (parsed === undefined) return false;
      return parsed.purpose === 'file' ? retireFiles.has(parsed.gen) : retire.has(parsed.gen);
    });
    await db.table(KEYRING_STORE).bulkDelete(doomed);
    const next: VaultMeta = { ...meta, epoch: (meta.epoch ?? 0) + 1 };
    delete next.rekey;
    await db.table(META_STORE).put(next);
    return next;
  });
}
