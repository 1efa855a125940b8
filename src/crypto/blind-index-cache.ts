import { blindIndex } from './blind-index.js';

/**
 * Bounded LRU of blind-index values keyed by (index name, value), so bulk writes with repeated
 * values compute each HMAC once. Values are plaintext held in memory only, like decrypted data:
 * call `clear()` on lock, sign-out and index-key rotation.
 *
 * Invariants:
 * - at most `capacity` entries; a hit moves the entry to the most-recent end (Map order);
 * - concurrent misses for the same entry share one computation;
 * - a computation started before `clear()` never lands in the cache after it.
 */
export class BlindIndexCache {
  readonly capacity: number;
  readonly #entries = new Map<string, Uint8Array>();
  readonly #pending = new Map<string, Promise<Uint8Array>>();
  #generation = 0;

  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#entries.size;
  }

  // The length prefix makes the composite key injective for any index name.
  static #slot(indexName: string, value: string): string {
    return `${indexName.length}:${indexName}:${value}`;
  }

  /** Cached bytes (shared: do not mutate), refreshing recency; undefined on a miss. */
  get(indexName: string, value: string): Uint8Array | undefined {
    const slot = BlindIndexCache.#slot(indexName, value);
    const hit = this.#entries.get(slot);
    if (hit !== undefined) {
      this.#entries.delete(slot);
      this.#entries.set(slot, hit);
    }
    return hit;
  }

  /** Stores bytes, evicting the least recently used entry when full. */
  set(indexName: string, value: string, bytes: Uint8Array): void {
    this.#put(BlindIndexCache.#slot(indexName, value), bytes);
  }

  #put(slot: string, bytes: Uint8Array): void {
    this.#entries.delete(slot);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(slot, bytes);
  }

  /** Cached value, or runs `compute` once (shared by concurrent callers) and caches its result. */
  getOrCompute(indexName: string, value: string, compute: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.get(indexName, value);
    if (hit !== undefined) return Promise.resolve(hit);
    const slot = BlindIndexCache.#slot(indexName, value);
    const inFlight = this.#pending.get(slot);
    if (inFlight !== undefined) return inFlight;
    const generation = this.#generation;
    const promise = compute().then(
      (bytes) => {
        if (generation === this.#generation) {
          this.#pending.delete(slot);
          this.#put(slot, bytes);
        }
        return bytes;
      },
      (error: unknown) => {
        if (generation === this.#generation) this.#pending.delete(slot);
        throw error;
      },
    );
    this.#pending.set(slot, promise);
    return promise;
  }

  /** `blindIndex(key, bits, value)` through the cache (bits and key are fixed per index name). */
  lookup(indexName: string, key: CryptoKey, bits: number, value: string): Promise<Uint8Array> {
    return this.getOrCompute(indexName, value, () => blindIndex(key, bits, value));
  }

  /** Drops every entry and forgets in-flight computations. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#pending.clear();
  }
}
