import type { VisibleSetDigest } from '../core/sync-protocol.js';
import { digestBucketOf, digestItemHash, isDigestBucketCount, MAX_DIGEST_BUCKETS } from '../core/visible-set-digest.js';

/*
 * The client's incremental visible-set digest of one entity (docs/protocol.md "Digest"): the XOR
 * of the item hashes of its stored `[id, version]` pairs per bucket, kept at the finest bucket
 * count (4096) so that any server count (a smaller power of two) is a fold: fine bucket i lies in
 * coarse bucket `i & (count - 1)`, because both are the low bits of the same fnv1a32(id).
 */

/** `_syncState` key of an entity's stored digest. */
export function digestStateKey(entity: string): string {
  return `digest:${entity}`;
}

/** Bucket XORs at 4096 buckets: high and low 32-bit halves. */
export interface FineDigest {
  hi: Uint32Array;
  lo: Uint32Array;
}

/** The stored form (a `_syncState` value, sealed like the rest). */
export interface StoredDigest {
  format: 1;
  /** 4096 × 16 lower-case hex digits. */
  buckets: string;
}

export function emptyFineDigest(): FineDigest {
  return { hi: new Uint32Array(MAX_DIGEST_BUCKETS), lo: new Uint32Array(MAX_DIGEST_BUCKETS) };
}

/** XORs one item in or out (the same operation). */
export function toggleItem(d: FineDigest, id: string, version: string): void {
  const b = digestBucketOf(id, MAX_DIGEST_BUCKETS);
  const [h, l] = digestItemHash(id, version);
  d.hi[b] = (d.hi[b]! ^ h) >>> 0;
  d.lo[b] = (d.lo[b]! ^ l) >>> 0;
}

/** The fine digest of a set of items (a full recompute). */
export function fineDigestOf(items: Iterable<readonly [string, string]>): FineDigest {
  const d = emptyFineDigest();
  for (const [id, version] of items) toggleItem(d, id, version);
  return d;
}

/** The digest at `bucketCount` buckets (a power of two up to 4096), as the server sends it. */
export function foldDigest(d: FineDigest, bucketCount: number): VisibleSetDigest {
  if (!isDigestBucketCount(bucketCount)) throw new RangeError('bucketCount must be a power of two from 1 to 4096');
  const hi = new Uint32Array(bucketCount);
  const lo = new Uint32Array(bucketCount);
  const mask = bucketCount - 1;
  for (let i = 0; i < MAX_DIGEST_BUCKETS; i++) {
    hi[i & mask] = (hi[i & mask]! ^ d.hi[i]!) >>> 0;
    lo[i & mask] = (lo[i & mask]! ^ d.lo[i]!) >>> 0;
  }
  const buckets: string[] = [];
  for (let b = 0; b < bucketCount; b++) buckets.push(hi[b]!.toString(16).padStart(8, '0') + lo[b]!.toString(16).padStart(8, '0'));
  return { bucketCount, buckets };
}

export function encodeDigest(d: FineDigest): StoredDigest {
  const parts: string[] = [];
  for (let i = 0; i < MAX_DIGEST_BUCKETS; i++) parts.push(d.hi[i]!.toString(16).padStart(8, '0') + d.lo[i]!.toString(16).padStart(8, '0'));
  return { format: 1, buckets: parts.join('') };
}

/** The fine digest of a stored value; null when absent or not in a known format (then recompute). */
export function decodeDigest(value: unknown): FineDigest | null {
  const v = value as Partial<StoredDigest> | null | undefined;
  if (v?.format !== 1 || typeof v.buckets !== 'string' || !/^[0-9a-f]{65536}$/.test(v.buckets)) return null;
  const d = emptyFineDigest();
  for (let i = 0; i < MAX_DIGEST_BUCKETS; i++) {
    d.hi[i] = parseInt(v.buckets.slice(i * 16, i * 16 + 8), 16) >>> 0;
    d.lo[i] = parseInt(v.buckets.slice(i * 16 + 8, i * 16 + 16), 16) >>> 0;
  }
  return d;
}
