import { HttpError } from './http-error.js';

/*
 * Checkpoint strings (opaque to clients, docs/protocol.md §4):
 * - complete: `c.<dbId>.<seq>`: everything up to sequence number `seq` was sent;
 * - partial (between pages): `p.<base64url JSON>` with the database id, whether this is a first
 *   download (no removals), and one cursor per stream (live rows, tombstones).
 * A cursor `{ seq, id }` means "sent every item ordered (version, id) up to here"; `id: null`
 * means every item of version `seq`.
 */

export interface StreamCursor {
  readonly seq: number;
  readonly id: string | null;
}

export interface Checkpoint {
  readonly dbId: string;
  readonly initial: boolean;
  readonly rows: StreamCursor;
  readonly tombs: StreamCursor;
}

const COMPLETE = /^c\.([0-9a-f-]{36})\.(\d{1,15})$/;

function bad(): HttpError {
  return new HttpError(400, 'invalid-checkpoint', 'Checkpoint was not issued by this server');
}

function cursorOf(value: unknown): StreamCursor {
  if (!Array.isArray(value) || value.length !== 2) throw bad();
  const [seq, id] = value as unknown[];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || (id !== null && typeof id !== 'string')) throw bad();
  return { seq, id: id as string | null };
}

/** Parses a checkpoint; `null` (first download) becomes undefined. Throws 400 on garbage. */
export function parseCheckpoint(text: string | null): Checkpoint | undefined {
  if (text === null) return undefined;
  const m = COMPLETE.exec(text);
  if (m !== null) {
    const seq = Number(m[2]);
    return { dbId: m[1]!, initial: false, rows: { seq, id: null }, tombs: { seq, id: null } };
  }
  if (!text.startsWith('p.') || text.length > 2000) throw bad();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text.slice(2), 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof raw !== 'object' || raw === null) throw bad();
  const o = raw as Record<string, unknown>;
  if (typeof o['d'] !== 'string' || typeof o['i'] !== 'boolean') throw bad();
  return { dbId: o['d'], initial: o['i'], rows: cursorOf(o['r']), tombs: cursorOf(o['t']) };
}

/** The checkpoint after a complete download at `seq`. */
export function completeCheckpoint(dbId: string, seq: number): string {
  return `c.${dbId}.${seq}`;
}

/** The checkpoint between pages. */
export function partialCheckpoint(cp: Checkpoint): string {
  const json = JSON.stringify({ d: cp.dbId, i: cp.initial, r: [cp.rows.seq, cp.rows.id], t: [cp.tombs.seq, cp.tombs.id] });
  return `p.${Buffer.from(json, 'utf8').toString('base64url')}`;
}

/** The effective start: a checkpoint of another database, or from its future, counts as none. */
export function startingPoint(cp: Checkpoint | undefined, dbId: string, currentSeq: number): Checkpoint {
  const fresh: Checkpoint = { dbId, initial: true, rows: { seq: 0, id: null }, tombs: { seq: 0, id: null } };
  if (cp === undefined || cp.dbId !== dbId || cp.rows.seq > currentSeq || cp.tombs.seq > currentSeq) return fresh;
  return cp;
}
