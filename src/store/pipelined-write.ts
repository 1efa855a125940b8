import Dexie from 'dexie';
import type { StoredRow } from './record-codec.js';
import type { SealedChunks } from './sealed-chunks.js';

/** What one write transaction must do, all or nothing. */
export interface PipelinedWrite {
  store: string;
  outboxStore: string;
  /** Rows whose stored fingerprint must still be `expected` (compare-and-set). */
  checks: { id: string; expected: string }[];
  /** Ids that must not exist; checked with a key-only read before anything is written. */
  requireAbsent?: readonly string[];
  fingerprint(row: StoredRow | undefined): string;
  /** Sealed chunks to write: rows in `add` are added (fail if present), rows in `put` replaced. */
  sources: { chunks: SealedChunks; add: ReadonlySet<string>; put: ReadonlySet<string> }[];
  deletes: readonly string[];
  /** The sealed outbox row; may still be sealing when the transaction starts. */
  outboxRow: Promise<object>;
}

/** Raised when a compare-and-set check or an `add` finds another writer's change. */
export class WriteConflict extends Error {}

/** A key no row has (ids are non-empty): reading it is the cheapest request there is. */
const KEEP_ALIVE_KEY = '';

function isConstraintFailure(error: unknown): boolean {
  const e = error as { name?: string; failures?: { name?: string }[]; inner?: { name?: string } } | null;
  return (
    e?.name === 'ConstraintError' ||
    e?.inner?.name === 'ConstraintError' ||
    (e?.name === 'BulkError' && (e.failures ?? []).some((f) => f?.name === 'ConstraintError'))
  );
}

/**
 * Runs one readwrite transaction that writes rows while they are still being sealed.
 * Invariants (crypto and IndexedDB transactions):
 * - the transaction never awaits crypto: sealed chunks are picked up synchronously in callbacks of
 *   this transaction's own requests; when none is ready and no request is pending, a cheap read
 *   keeps the transaction alive until one is;
 * - several chunk requests stay outstanding, so IndexedDB always has work queued;
 * - existence and compare-and-set checks run first; a mismatch, a failing `add` or a sealing failure aborts the
 *   transaction, so nothing of the batch is written;
 * - the outbox row is written last, in the same transaction: rows and entry commit together.
 */
export async function runPipelinedWrite(db: Dexie, write: PipelinedWrite): Promise<void> {
  const table = db.table(write.store);
  try {
    await db.transaction('rw', [table, db.table(write.outboxStore)], () =>
      new Dexie.Promise<void>((resolve, reject) => {
        const written = write.sources.map(() => new Set<number>());
        let outboxRow: { row: object } | undefined;
        write.outboxRow.then(
          (row) => (outboxRow = { row }),
          (error: unknown) => fail(error),
        );
        let pending = 0;
        let finished = false;
        let failed = false;
        const fail = (error: unknown) => {
          if (failed) return;
          failed = true;
          reject(error);
        };
        const track = (request: Promise<unknown>) => {
          pending++;
          request.then(() => {
            pending--;
            pump();
          }, fail);
        };
        const pump = (): void => {
          if (failed || finished) return;
          let waiting = false;
          for (let s = 0; s < write.sources.length; s++) {
            const { chunks, add, put } = write.sources[s]!;
            if (chunks.failure !== undefined) return fail(chunks.failure.error);
            for (let k = 0; k < chunks.count; k++) {
              if (written[s]!.has(k)) continue;
              const rows = chunks.ready[k];
              if (rows === undefined) {
                waiting = true;
                continue;
              }
              written[s]!.add(k);
              const added = rows.filter((row) => add.has(row.id));
              const replaced = rows.filter((row) => put.has(row.id));
              if (added.length > 0) track(table.bulkAdd(added));
              if (replaced.length > 0) track(table.bulkPut(replaced));
            }
          }
          if (!waiting && outboxRow !== undefined) {
            finished = true;
            const row = outboxRow.row;
            const tail = write.deletes.length > 0 ? table.bulkDelete([...write.deletes]) : Dexie.Promise.resolve();
            tail.then(() => db.table(write.outboxStore).add(row)).then(() => resolve(), fail);
          } else if (pending === 0) {
            track(table.get(KEEP_ALIVE_KEY)); // keep-alive while the next chunk is sealed
          }
        };
        const absent = write.requireAbsent ?? [];
        const absentCheck: PromiseLike<unknown> =
          absent.length === 0
            ? Dexie.Promise.resolve()
            : table
                .where(':id')
                .anyOf(absent as string[])
                .primaryKeys()
                .then((found) => {
                  if (found.length > 0) throw new WriteConflict();
                });
        const casCheck = (): PromiseLike<unknown> =>
          write.checks.length === 0
            ? Dexie.Promise.resolve()
            : table.bulkGet(write.checks.map((c) => c.id)).then((rows) => {
                for (let i = 0; i < rows.length; i++) {
                  if (write.fingerprint(rows[i] as StoredRow | undefined) !== write.checks[i]!.expected) throw new WriteConflict();
                }
              });
        absentCheck.then(casCheck).then(pump, fail);
      }),
    );
  } catch (error) {
    if (error instanceof WriteConflict || (error as { inner?: unknown }).inner instanceof WriteConflict || isConstraintFailure(error)) {
      throw new WriteConflict();
    }
    throw error;
  }
}
