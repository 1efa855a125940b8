import { SyncError } from '../core/errors.js';
import { PROTOCOL_VERSION, SYNC_ROUTES, type UploadChange, type UploadResponse, type UploadResult } from '../core/sync-protocol.js';
import type { OutboxChange } from '../store/outbox.js';
import type { Members } from '../store/record-codec.js';
import type { Mutation, SyncErrorEntry, SyncStore } from '../store/sync-store-types.js';
import { coalesceChanges, objectKey, type NetChange } from './coalesce-changes.js';
import { checkAborted, type Transport } from './transport.js';
import type { SyncProgress } from './sync-types.js';

/** The upload in flight, stored before it is sent so a retry reuses its mutation ids. */
interface InFlight {
  changes: (UploadChange & { content: Record<string, unknown> })[];
  /** Outbox entries it acknowledges: `[seq, entity, id]`. */
  covered: [number, string, string][];
}

export const UPLOAD_STATE_KEY = 'upload';

export interface UploadEnv {
  store: SyncStore;
  transport: Transport;
  clientId: string;
  batchSize: number;
  signal?: AbortSignal | undefined;
  /** Which net changes this sync uploads (selective sync: the listed objects; full sync: not `never` entities). */
  include(change: NetChange): boolean;
  progress(p: SyncProgress): void;
}

export interface UploadOutcome {
  uploaded: number;
  rejected: number;
  /** Objects removed locally because their change was rejected (the server's copy comes back on download). */
  removed: { entity: string; id: string }[];
}

/**
 * Uploads the outbox. Invariants:
 * - a batch (with its mutation ids) is stored before it is sent, and cleared only in the
 *   transaction that acknowledges it: after a lost response or a crash the same ids are re-sent,
 *   and the server applies nothing twice;
 * - only the outbox entries a batch covers are removed; entries appended meanwhile stay;
 * - a rejected change moves to `_syncErrors` with its content; its object is removed locally (as
 *   Mendix) unless it has a newer local change, and loses its version so the next download
 *   brings the server's copy back when the user may still read it.
 */
export async function uploadChanges(env: UploadEnv): Promise<UploadOutcome> {
  const outcome: UploadOutcome = { uploaded: 0, rejected: 0, removed: [] };
  const resumed = await env.store.getState<InFlight>(UPLOAD_STATE_KEY);
  if (resumed !== undefined) await sendAndCommit(env, resumed, outcome, { done: 0, total: resumed.changes.length });

  const initial = await env.store.readOutbox();
  const limitSeq = initial.reduce((max, r) => Math.max(max, r.seq), 0);
  const total = [...coalesceChanges(initial).values()].filter((c) => selected(env, c)).length;
  const counter = { done: 0, total };
  for (;;) {
    checkAborted(env.signal);
    const rows = (await env.store.readOutbox()).filter((r) => r.seq <= limitSeq);
    const net = [...coalesceChanges(rows).values()].filter((c) => selected(env, c)).slice(0, env.batchSize);
    if (net.length === 0) break;
    const batch = await buildBatch(env.store, net);
    await env.store.mutate(async () => ({ mutation: { state: [{ key: UPLOAD_STATE_KEY, value: batch }] }, result: undefined }));
    await sendAndCommit(env, batch, outcome, counter);
  }
  return outcome;
}

function selected(env: UploadEnv, c: NetChange): boolean {
  return env.include(c);
}

async function buildBatch(store: SyncStore, net: readonly NetChange[]): Promise<InFlight> {
  const current = new Map<string, Members | undefined>();
  const byEntity = new Map<string, string[]>();
  for (const c of net) if (c.op !== 'delete' && c.op !== 'none') byEntity.set(c.entity, [...(byEntity.get(c.entity) ?? []), c.id]);
  for (const [entity, ids] of byEntity) {
    const objects = await store.getObjects(entity, ids);
    ids.forEach((id, i) => current.set(objectKey(entity, id), objects[i]));
  }
  const batch: InFlight = { changes: [], covered: [] };
  for (const c of net) {
    for (const seq of c.seqs) batch.covered.push([seq, c.entity, c.id]);
    if (c.op === 'none') continue;
    const mutationId = globalThis.crypto.randomUUID();
    if (c.op === 'delete') {
      batch.changes.push({ mutationId, entity: c.entity, id: c.id, op: 'delete', content: { id: c.id, ...(c.before ?? {}) } });
      continue;
    }
    const object = current.get(objectKey(c.entity, c.id));
    if (object === undefined) continue; // purged locally since: nothing left to upload
    const names = c.op === 'create' || c.replaces ? Object.keys(object) : c.members;
    const values: Members = {};
    for (const m of names) values[m] = object[m] ?? null;
    batch.changes.push({ mutationId, entity: c.entity, id: c.id, op: c.op, values, content: { id: c.id, ...object } });
  }
  return batch;
}

function checkResults(batch: InFlight, response: UploadResponse | undefined): Map<string, UploadResult> {
  const results = new Map<string, UploadResult>();
  for (const r of Array.isArray(response?.results) ? response!.results : []) {
    if (r !== null && typeof r === 'object' && typeof r.mutationId === 'string') results.set(r.mutationId, r);
  }
  for (const c of batch.changes) {
    const r = results.get(c.mutationId);
    if (r === undefined || (r.status !== 'applied' && r.status !== 'rejected')) {
      // Kept in flight: the next sync re-sends the same mutation ids.
      throw new SyncError('bad-response', 'The server did not answer every uploaded change', { entity: c.entity });
    }
  }
  return results;
}

async function sendAndCommit(env: UploadEnv, batch: InFlight, outcome: UploadOutcome, counter: { done: number; total: number }): Promise<void> {
  let results = new Map<string, UploadResult>();
  if (batch.changes.length > 0) {
    env.progress({ phase: 'upload', done: counter.done, total: counter.total });
    const changes: UploadChange[] = batch.changes.map(({ content: _content, ...change }) => change);
    const response = await env.transport.request<UploadResponse>(
      'POST',
      SYNC_ROUTES.upload,
      { protocol: PROTOCOL_VERSION, clientId: env.clientId, changes },
      { retry: true, signal: env.signal },
    );
    results = checkResults(batch, response);
  }
  const covered = new Set(batch.covered.map(([seq, entity, id]) => `${seq}\u0000${objectKey(entity, id)}`));
  const at = new Date().toISOString();
  const committed = await env.store.mutate(async (ctx) => {
    const m: Required<Pick<Mutation, 'outboxDelete' | 'outboxRewrite' | 'unversion' | 'errors' | 'delete'>> = {
      outboxDelete: [],
      outboxRewrite: [],
      unversion: [],
      errors: [],
      delete: [],
    };
    const stillPending = new Set<string>();
    for (const row of ctx.outbox) {
      const left = remainingChanges(row.seq, row.entry.changes, covered);
      for (const ch of left) for (const id of ch.ids) stillPending.add(objectKey(ch.entity, id));
      if (left.length === 0) m.outboxDelete.push(row.seq);
      else if (count(left) < count(row.entry.changes)) m.outboxRewrite.push({ ...row, entry: { ...row.entry, changes: left } });
    }
    let uploaded = 0;
    const removed: { entity: string; id: string }[] = [];
    for (const c of batch.changes) {
      const r = results.get(c.mutationId)!;
      if (r.status === 'applied') {
        uploaded++;
        if (c.op === 'delete') m.unversion.push({ entity: c.entity, id: c.id });
        continue;
      }
      const entry: SyncErrorEntry = {
        id: globalThis.crypto.randomUUID(),
        entity: c.entity,
        objectId: c.id,
        op: c.op,
        content: c.content,
        reason: { code: String(r.reason?.code ?? 'rejected'), message: String(r.reason?.message ?? 'Rejected by the server') },
        at,
      };
      m.errors.push(entry);
      m.unversion.push({ entity: c.entity, id: c.id });
      // A rejected create never existed on the server: drop it (Mendix). A rejected update keeps
      // the object unversioned: the download restores the server's copy if the user may still
      // read it, and otherwise purges it with a `purged` event (reason access-lost).
      if (c.op === 'create' && !stillPending.has(objectKey(c.entity, c.id))) {
        m.delete.push({ entity: c.entity, id: c.id });
        removed.push({ entity: c.entity, id: c.id });
      }
    }
    return { mutation: { ...m, state: [{ key: UPLOAD_STATE_KEY, value: undefined }] }, result: { uploaded, rejected: m.errors.length, removed } };
  });
  outcome.uploaded += committed.uploaded;
  outcome.rejected += committed.rejected;
  outcome.removed.push(...committed.removed);
  counter.done += batch.changes.length;
  env.progress({ phase: 'upload', done: counter.done, total: counter.total });
}

function count(changes: readonly OutboxChange[]): number {
  return changes.reduce((n, ch) => n + ch.ids.length, 0);
}

/** The changes of outbox row `seq` that `covered` does not acknowledge (with their `before` trimmed). */
function remainingChanges(seq: number, changes: readonly OutboxChange[], covered: ReadonlySet<string>): OutboxChange[] {
  const out: OutboxChange[] = [];
  for (const ch of changes) {
    const ids = ch.ids.filter((id) => !covered.has(`${seq}\u0000${objectKey(ch.entity, id)}`));
    if (ids.length === 0) continue;
    const { before, ...rest } = ch;
    const kept = before === undefined ? undefined : Object.fromEntries(ids.filter((id) => id in before).map((id) => [id, before[id]!]));
    out.push({ ...rest, ids, ...(kept === undefined ? {} : { before: kept }) });
  }
  return out;
}
