import type Dexie from 'dexie';
import type { EntityDef } from '../app/index.js';
import { StorageError } from '../core/errors.js';
import { mapStorageError } from './map-storage-error.js';
import type { Members, RecordCodec, StoredRow } from './record-codec.js';
import type { OutboxChange, OutboxEntry } from './outbox.js';
import { OUTBOX_STORE } from './vault-database.js';

/** One requested change of an object, with values already validated and normalized. */
export type WriteOp =
  | { kind: 'put'; id: string; members: Members; fresh?: boolean }
  | { kind: 'update'; id: string; changes: Members }
  | { kind: 'delete'; id: string };

const MAX_ATTEMPTS = 25;
/** Thrown inside the write transaction to abort it when another writer got there first. */
class ConcurrentWrite extends Error {}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const set = new Set(a);
    return b.every((x) => set.has(x));
  }
  return (a ?? null) === (b ?? null);
}

function changedMembers(prior: Members | undefined, next: Members, candidates: Iterable<string>): string[] {
  const out: string[] = [];
  for (const m of candidates) {
    if (prior === undefined ? next[m] !== null && next[m] !== undefined : !sameValue(prior[m], next[m])) out.push(m);
  }
  return out;
}

/** Groups per-object changes that share operation and members, so a bulk write is one small entry. */
function groupChanges(entity: string, changes: readonly { id: string; op: OutboxChange['op']; members: string[]; before?: Members }[]): OutboxChange[] {
  const groups = new Map<string, OutboxChange>();
  for (const c of changes) {
    const key = `${c.op}|${c.members.join(',')}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { entity, op: c.op, ids: [], members: c.members };
      groups.set(key, g);
    }
    g.ids.push(c.id);
    if (c.before !== undefined) (g.before ??= {})[c.id] = c.before;
  }
  return [...groups.values()];
}

/**
 * Applies writes to one entity and appends their outbox entry, atomically, without ever awaiting
 * crypto inside a transaction. Invariants:
 * - read (own transaction) -> decrypt + diff + encrypt (no transaction) -> write transaction;
 * - the write transaction re-reads the rows and commits only if every row's fingerprint is still
 *   the one the diff was based on; otherwise nothing is written and the whole batch is redone, so
 *   a concurrent writer (another tab, the sync engine) never loses an update;
 * - the object rows and their outbox entry commit in the same transaction or not at all;
 * - writes that change nothing write nothing and add no outbox entry;
 * - fresh ids (assigned by us) skip the reads and use `add`, which fails instead of overwriting.
 * Returns, per op, whether the object existed before.
 */
export async function applyWrites(db: Dexie, codec: RecordCodec, entity: EntityDef, ops: readonly WriteOp[]): Promise<boolean[]> {
  const table = db.table(entity.name);
  const ids = ops.map((op) => op.id);
  if (new Set(ids).size !== ids.length) {
    throw new StorageError('duplicate-id', `${entity.name}: the same id appears twice in one bulk write`, { entity: entity.name });
  }
  const allMembers = [...entity.attributes.keys(), ...entity.references.keys()];
  let fresh = ops.every((op) => op.kind === 'put' && op.fresh === true);

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let priorRows: (StoredRow | undefined)[];
    try {
      priorRows = fresh ? ops.map(() => undefined) : ((await table.bulkGet(ids)) as (StoredRow | undefined)[]);
    } catch (error) {
      throw mapStorageError(error, { entity: entity.name, operation: 'read' });
    }
    const prior = await codec.decodeRows(entity, priorRows);

    const toWrite: { id: string; members: Members }[] = [];
    const toDelete: string[] = [];
    const changes: { id: string; op: OutboxChange['op']; members: string[]; before?: Members }[] = [];
    const existed = ops.map((_, i) => prior[i] !== undefined);
    ops.forEach((op, i) => {
      const before = prior[i];
      if (op.kind === 'delete') {
        if (before === undefined) return;
        toDelete.push(op.id);
        changes.push({ id: op.id, op: 'delete', members: [], before });
        return;
      }
      if (op.kind === 'update' && before === undefined) return;
      const next = op.kind === 'put' ? op.members : { ...before!, ...op.changes };
      const changed = changedMembers(before, next, op.kind === 'put' ? allMembers : Object.keys(op.changes));
      if (before !== undefined && changed.length === 0) return;
      toWrite.push({ id: op.id, members: next });
      changes.push({ id: op.id, op: before === undefined ? 'create' : 'update', members: changed });
    });
    if (changes.length === 0) return existed;

    const rows = await codec.encodeRows(entity, toWrite);
    const entry: OutboxEntry = { at: new Date().toISOString(), changes: groupChanges(entity.name, changes) };
    const outboxRow = await codec.encodeOutbox(globalThis.crypto.randomUUID(), entry);

    try {
      await db.transaction('rw', [table, db.table(OUTBOX_STORE)], async () => {
        if (fresh) {
          await table.bulkAdd(rows);
        } else {
          const current = (await table.bulkGet(ids)) as (StoredRow | undefined)[];
          for (let i = 0; i < ids.length; i++) {
            if (codec.fingerprint(current[i]) !== codec.fingerprint(priorRows[i])) throw new ConcurrentWrite();
          }
          if (rows.length > 0) await table.bulkPut(rows);
          if (toDelete.length > 0) await table.bulkDelete(toDelete);
        }
        await db.table(OUTBOX_STORE).add(outboxRow);
      });
      return existed;
    } catch (error) {
      if (error instanceof ConcurrentWrite || (error as { inner?: unknown }).inner instanceof ConcurrentWrite) continue;
      const name = (error as { name?: string; failures?: { name?: string }[] }).name;
      if (fresh && (name === 'BulkError' || name === 'ConstraintError')) {
        fresh = false; // an id we assumed new exists after all: take the read-compare path
        continue;
      }
      throw mapStorageError(error, { entity: entity.name, operation: 'write' });
    }
  }
  throw new StorageError('write-conflict', `${entity.name}: gave up after ${MAX_ATTEMPTS} concurrent-write retries`, { entity: entity.name });
}
