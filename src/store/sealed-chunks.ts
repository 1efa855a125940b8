import type { EntityDef } from '../app/index.js';
import type { Members, RecordCodec, StoredRow } from './record-codec.js';

/** Rows per sealing chunk: small enough to start writing early, large enough to batch well. */
export const CHUNK_SIZE = 250;

/**
 * Rows being sealed in chunks. `ready[k]` is filled (synchronously readable) when chunk k is
 * sealed, so an open transaction can pick finished chunks up from its own request callbacks
 * without ever awaiting crypto.
 */
export interface SealedChunks {
  readonly count: number;
  ready: (StoredRow[] | undefined)[];
  /** Set when a chunk failed to seal; the writer rethrows it. */
  failure: { error: unknown } | undefined;
  /** Resolves when every chunk is sealed (rejects on the first failure). */
  readonly done: Promise<void>;
}

/** Chunks sealed at the same time: enough to keep WebCrypto busy, few enough to leave the main
 * thread free for the IndexedDB requests of the transaction that consumes them. */
const IN_FLIGHT = 1;

/**
 * Starts sealing `objects` in chunks, a couple at a time, so the synchronous part of sealing
 * (JSON, padding, AAD) interleaves with the caller's reads and writes instead of blocking them.
 */
export function sealInChunks(codec: RecordCodec, entity: EntityDef, objects: readonly { id: string; members: Members }[]): SealedChunks {
  const chunks: SealedChunks = { count: Math.ceil(objects.length / CHUNK_SIZE), ready: [], failure: undefined, done: Promise.resolve() };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.count && chunks.failure === undefined) {
      const k = next++;
      try {
        chunks.ready[k] = await codec.encodeRows(entity, objects.slice(k * CHUNK_SIZE, (k + 1) * CHUNK_SIZE));
      } catch (error) {
        chunks.failure ??= { error };
        throw error;
      }
    }
  };
  (chunks as { done: Promise<void> }).done = Promise.all(Array.from({ length: Math.min(IN_FLIGHT, chunks.count) }, worker)).then(() => undefined);
  chunks.done.catch(() => undefined); // surfaced through `failure` to the writer
  return chunks;
}
