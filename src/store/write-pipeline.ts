import type Dexie from 'dexie';
import type { EntityDef } from '../app/index.js';
import { StorageError } from '../core/errors.js';
import { mapStorageError } from './map-storage-error.js';
import { planWrites, type WriteOp } from './plan-writes.js';
import type { RecordCodec, StoredRow } from './record-codec.js';
import type { OutboxEntry } from './outbox.js';
import { runPipelinedWrite, WriteConflict } from './pipelined-write.js';
import { sealInChunks, type SealedChunks } from './sealed-chunks.js';
import type { WriteGuard } from './write-guard.js';
import { OUTBOX_STORE } from './vault-database.js';

export type { WriteOp } from './plan-writes.js';

const MAX_ATTEMPTS = 25;
/** Up to this many puts, the optimistic create skips its key-only existence read. */
const SMALL_BATCH = 64;


/** Ids among `ids` that have a row, from a key-only query (no values are read). */
async function existingIds(table: Dexie.Table, ids: readonly string[]): Promise<Set<string>> {
  return new Set((await table.where(':id').anyOf(ids as string[]).primaryKeys()) as string[]);
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

function minus(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a].filter((x) => !b.has(x)));
}

/**
 * Applies writes to one entity and appends their outbox entry, atomically. Invariants:
 * - crypto is never awaited inside a transaction: rows are sealed outside, and an open write
 *   transaction only picks up chunks that finished sealing, from its own request callbacks;
 * - a put's new state does not depend on the stored one, so its rows are sealed as soon as the
 *   key-only existence read is done, overlapping the diff and the writes of earlier chunks; a
 *   sealed row that is not written (an unchanged put) is dropped;
 * - the write transaction re-reads the rows the diff was based on and adds (never puts) the rows
 *   believed absent; if any row changed or appeared meanwhile it aborts, writes nothing, and the
 *   batch is planned again, so a concurrent writer (another tab, the sync engine) never loses an
 *   update;
 * - the rows and their outbox entry commit in the same transaction or not at all;
 * - writes that change nothing write nothing and add no outbox entry.
 * - a batch of puts is first tried as creates in one transaction that checks, key-only, that none
 *   of the ids exists (the common case: one transaction, no separate read).
 * Returns, per op, whether the object existed before.
 */
export async function applyWrites(
  db: Dexie,
  codec: RecordCodec,
  entity: EntityDef,
  ops: readonly WriteOp[],
  guard?: WriteGuard,
): Promise<boolean[]> {
  const table = db.table(entity.name);
  const ids = ops.map((op) => op.id);
  if (new Set(ids).size !== ids.length) {
    throw new StorageError('duplicate-id', `${entity.name}: the same id appears twice in one bulk write`, { entity: entity.name });
  }
  const puts = ops.filter((op): op is Extract<WriteOp, { kind: 'put' }> => op.kind === 'put');
  let sealedPuts: SealedChunks | undefined;
  const startSealingPuts = () => (sealedPuts ??= sealInChunks(codec, entity, puts.map((op) => ({ id: op.id, members: op.members }))));
  const allFresh = ops.every((op) => op.kind === 'put' && op.fresh === true);

  if (puts.length === ops.length) {
    // The puts and the outbox entry are sealed while the transaction runs: budget them first.
    await codec.reserveSeals?.(puts.length + 1);
    // Optimistic create: most puts create objects. Plan as if none exists and write in a single
    // transaction that first checks, key-only, that none does; otherwise take the general path.
    const plan = planWrites(entity, ops, ops.map(() => undefined));
    guard?.(entity, plan.changes);
    // Sealed while the transaction starts: the transaction waits for it like for a chunk.
    const outboxRow = codec.encodeOutbox(globalThis.crypto.randomUUID(), { at: new Date().toISOString(), changes: plan.changes });
    outboxRow.catch(() => undefined); // surfaced by the transaction
    try {
      await runPipelinedWrite(db, {
        store: entity.name,
        outboxStore: OUTBOX_STORE,
        checks: [],
        // Small batches rely on `add` failing instead: a wasted attempt costs little there.
        requireAbsent: allFresh || ids.length <= SMALL_BATCH ? [] : ids,
        fingerprint: (row) => codec.fingerprint(row),
        sources: [{ chunks: startSealingPuts(), add: new Set(ids), put: new Set() }],
        deletes: [],
        outboxRow,
      });
      return plan.existed;
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw mapStorageError(error, { entity: entity.name, operation: 'write' });
    }
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Fresh ids were just drawn at random: nothing can exist under them yet.
    let exists: Set<string>;
    let priorRows: (StoredRow | undefined)[];
    try {
      exists = await existingIds(table, ids);
      // Sealing starts once the key-only read is done: it would only delay that read.
      if (sealedPuts === undefined) await codec.reserveSeals?.(puts.length);
      startSealingPuts();
      const present = ids.filter((id) => exists.has(id));
      const fetched = present.length === 0 ? [] : ((await table.bulkGet(present)) as (StoredRow | undefined)[]);
      const byId = new Map(fetched.filter((r): r is StoredRow => r !== undefined).map((r) => [r.id, r]));
      priorRows = ids.map((id) => byId.get(id));
    } catch (error) {
      throw mapStorageError(error, { entity: entity.name, operation: 'read' });
    }
    const prior = await codec.decodeRows(entity, priorRows);
    const plan = planWrites(entity, ops, prior);
    if (plan.changes.length === 0) return plan.existed;
    guard?.(entity, plan.changes);

    // The updates and the outbox entry are sealed while the transaction runs: budget them first.
    await codec.reserveSeals?.(plan.toWrite.filter((w) => !w.fromPut).length + 1);
    const keepPuts = new Set(plan.toWrite.filter((w) => w.fromPut).map((w) => w.id));
    const sealedUpdates = sealInChunks(codec, entity, plan.toWrite.filter((w) => !w.fromPut));
    const entry: OutboxEntry = { at: new Date().toISOString(), changes: plan.changes };
    const outboxRow = codec.encodeOutbox(globalThis.crypto.randomUUID(), entry);
    outboxRow.catch(() => undefined); // surfaced by the transaction
    const touched = ids.filter((id) => exists.has(id));
    const absent = new Set(ids.filter((id) => !exists.has(id)));
    const before = new Map(priorRows.filter((r): r is StoredRow => r !== undefined).map((r) => [r.id, r]));

    try {
      await runPipelinedWrite(db, {
        store: entity.name,
        outboxStore: OUTBOX_STORE,
        checks: touched.map((id) => ({ id, expected: codec.fingerprint(before.get(id)) })),
        fingerprint: (row) => codec.fingerprint(row),
        sources: [
          { chunks: sealedPuts!, add: intersect(keepPuts, absent), put: minus(keepPuts, absent) },
          { chunks: sealedUpdates, add: new Set(), put: new Set(plan.toWrite.filter((w) => !w.fromPut).map((w) => w.id)) },
        ],
        deletes: plan.toDelete,
        outboxRow,
      });
      return plan.existed;
    } catch (error) {
      // Another writer changed or created one of the objects: plan again against its state.
      if (error instanceof WriteConflict) continue;
      throw mapStorageError(error, { entity: entity.name, operation: 'write' });
    }
  }
  throw new StorageError('write-conflict', `${entity.name}: gave up after ${MAX_ATTEMPTS} concurrent-write retries`, { entity: entity.name });
}
