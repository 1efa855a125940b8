import type { SyncStore } from '../store/sync-store-types.js';
import { coalesceChanges } from './coalesce-changes.js';

/** A local change that `signOut({ discardUnsynced: true })` threw away, with its content. */
export interface DiscardedChange {
  entity: string;
  id: string;
  op: 'create' | 'update' | 'delete';
  members: string[];
  /** The object as the device had it (before the delete, for a delete). */
  content: Record<string, unknown>;
}

/** The net pending changes of the outbox, one per object, with the objects' current content. */
export async function exportPending(store: SyncStore): Promise<DiscardedChange[]> {
  const net = [...coalesceChanges(await store.readOutbox()).values()].filter((c) => c.op !== 'none');
  const out: DiscardedChange[] = [];
  for (const c of net) {
    const op = c.op as DiscardedChange['op'];
    const object = op === 'delete' ? c.before : (await store.getObjects(c.entity, [c.id]))[0];
    out.push({ entity: c.entity, id: c.id, op, members: c.members, content: { id: c.id, ...(object ?? {}) } });
  }
  return out;
}
