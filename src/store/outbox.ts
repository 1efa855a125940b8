import type Dexie from 'dexie';
import type { Members, OutboxRow, RecordCodec } from './record-codec.js';
import { OUTBOX_STORE } from './vault-database.js';

/** One group of local changes of an entity sharing operation and changed members. */
export interface OutboxChange {
  entity: string;
  op: 'create' | 'update' | 'delete';
  ids: string[];
  /** Members whose value changed (all set members for a create, none for a delete). */
  members: string[];
  /** For deletes: the object as the device had it, kept for sync-error reports. */
  before?: Record<string, Members>;
}

/** One outbox row: every change of one local write, committed with it. */
export interface OutboxEntry {
  at: string;
  changes: OutboxChange[];
}

/** A pending local change of one object, as `vault.outbox()` lists it. */
export interface PendingChange {
  seq: number;
  at: string;
  entity: string;
  id: string;
  op: 'create' | 'update' | 'delete';
  members: string[];
}

/** Reads and decrypts every outbox row in commit order. */
export async function readOutbox(db: Dexie, codec: RecordCodec): Promise<{ seq: number; entry: OutboxEntry }[]> {
  const rows = (await db.table(OUTBOX_STORE).toArray()) as OutboxRow[];
  return Promise.all(rows.map(async (row) => ({ seq: row.seq!, entry: (await codec.decodeOutbox(row)) as OutboxEntry })));
}

/** The outbox flattened to one change per object and row, in commit order. */
export async function listPendingChanges(db: Dexie, codec: RecordCodec): Promise<PendingChange[]> {
  const out: PendingChange[] = [];
  for (const { seq, entry } of await readOutbox(db, codec)) {
    for (const change of entry.changes) {
      for (const id of change.ids) out.push({ seq, at: entry.at, entity: change.entity, id, op: change.op, members: change.members });
    }
  }
  return out;
}
