import type { EntityDef } from '../app/index.js';
import type { OutboxChange } from './outbox.js';
import type { Members } from './record-codec.js';

/** One requested change of an object, with values already validated and normalized. */
export type WriteOp =
  | { kind: 'put'; id: string; members: Members; fresh?: boolean }
  | { kind: 'update'; id: string; changes: Members }
  | { kind: 'delete'; id: string };

/** What a batch of ops does to the stored objects it was planned against. */
export interface WritePlan {
  /** Objects to store; `fromPut` ones hold exactly their put's members. */
  toWrite: { id: string; members: Members; fromPut: boolean }[];
  toDelete: string[];
  changes: OutboxChange[];
  /** Per op, whether the object existed. */
  existed: boolean[];
}

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
function groupChanges(
  entity: string,
  changes: readonly { id: string; op: OutboxChange['op']; members: string[]; before?: Members }[],
): OutboxChange[] {
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
 * Diffs ops against the stored objects (`prior[i]` for `ops[i]`, undefined when absent). Only
 * members whose value differs count as written; an op that changes nothing is dropped.
 */
export function planWrites(entity: EntityDef, ops: readonly WriteOp[], prior: readonly (Members | undefined)[]): WritePlan {
  const allMembers = [...entity.attributes.keys(), ...entity.references.keys()];
  const plan: WritePlan = { toWrite: [], toDelete: [], changes: [], existed: ops.map((_, i) => prior[i] !== undefined) };
  const changes: { id: string; op: OutboxChange['op']; members: string[]; before?: Members }[] = [];
  ops.forEach((op, i) => {
    const before = prior[i];
    if (op.kind === 'delete') {
      if (before === undefined) return;
      plan.toDelete.push(op.id);
      changes.push({ id: op.id, op: 'delete', members: [], before });
      return;
    }
    if (op.kind === 'update' && before === undefined) return;
    const next = op.kind === 'put' ? op.members : { ...before!, ...op.changes };
    const changed = changedMembers(before, next, op.kind === 'put' ? allMembers : Object.keys(op.changes));
    if (before !== undefined && changed.length === 0) return;
    plan.toWrite.push({ id: op.id, members: next, fromPut: op.kind === 'put' });
    changes.push({ id: op.id, op: before === undefined ? 'create' : 'update', members: changed });
  });
  plan.changes = groupChanges(entity.name, changes);
  return plan;
}
