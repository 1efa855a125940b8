import type { OutboxEntry } from '../store/outbox.js';

/** The net local change of one object over a run of outbox rows. */
export interface NetChange {
  entity: string;
  id: string;
  /** `none`: created and deleted again before any upload; nothing to send. */
  op: 'create' | 'update' | 'delete' | 'none';
  /** Members written (for `create` every set member; for a re-created object every member). */
  members: string[];
  /** True when the object was deleted and created again: the upload replaces every member. */
  replaces: boolean;
  /** The object as the device had it before a delete (content of a sync error). */
  before?: Record<string, unknown>;
  /** Outbox rows holding changes of this object. */
  seqs: number[];
}

/** Key of an object across entities. */
export function objectKey(entity: string, id: string): string {
  return `${entity}\u0000${id}`;
}

/**
 * Coalesces outbox rows (in seq order) into one net change per object:
 * create+update → create, create+delete → none, update+delete → delete, delete+create → update
 * of every member (`replaces`), update+update → update of the union of members.
 */
export function coalesceChanges(rows: readonly { seq: number; entry: OutboxEntry }[]): Map<string, NetChange> {
  const out = new Map<string, NetChange>();
  for (const { seq, entry } of rows) {
    for (const change of entry.changes) {
      for (const id of change.ids) {
        const key = objectKey(change.entity, id);
        const prev = out.get(key);
        const before = change.before?.[id];
        if (prev === undefined) {
          out.set(key, {
            entity: change.entity,
            id,
            op: change.op,
            members: [...change.members],
            replaces: false,
            ...(before === undefined ? {} : { before }),
            seqs: [seq],
          });
          continue;
        }
        if (!prev.seqs.includes(seq)) prev.seqs.push(seq);
        if (change.op === 'delete') {
          prev.op = prev.op === 'create' || prev.op === 'none' ? 'none' : 'delete';
          prev.members = [];
          prev.replaces = false;
          if (before !== undefined) prev.before = before;
        } else if (change.op === 'create') {
          // Re-created after a delete: an object the server may still hold gets every member replaced.
          if (prev.op === 'delete') {
            prev.op = 'update';
            prev.replaces = true;
          } else if (prev.op === 'none') prev.op = 'create';
          prev.members = union(prev.members, change.members);
        } else {
          if (prev.op === 'none' || prev.op === 'delete') prev.op = prev.op === 'none' ? 'create' : 'update';
          prev.members = union(prev.members, change.members);
        }
      }
    }
  }
  return out;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}
