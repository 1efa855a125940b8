import { fnv1a32, fnv1a64, MAX_DIGEST_BUCKETS } from '../core/visible-set-digest.js';

/*
 * Bookkeeping columns that let the database compute the visible-set digest (docs/protocol.md §4,
 * src/core/visible-set-digest.ts) without sending every visible row to JS.
 *
 * item hash = fnv1a64(id + "\0" + seq + "." + suffix), where the 8-character `suffix` (hash of the
 * readable member names) depends on the user. FNV-1a step: h ← (h XOR b)·P mod 2^64. Since
 * h XOR b = h + d with d depending only on the low byte of h, and the low byte of (h + d)·P depends
 * only on the low byte of h + d, eight steps over a fixed suffix give
 *   hash = h0·P^8 + C_suffix[h0 & 0xff]   (mod 2^64)
 * with h0 the FNV state after the prefix `id "\0" seq "."` and C a table of 256 constants.
 * Each row stores g = h0·P^8 (as two 32-bit halves) and h0 & 0xff, written with its version;
 * a digest query adds C (selected by the user's rule pattern) and XORs per bucket. The bucket
 * column holds fnv1a32(id) & 4095 (bucket = that & (bucketCount - 1), bucketCount ≤ 4096).
 */

/** fnv1a32(id) & 4095: the bucket for the largest bucket count (fewer buckets: & (count - 1)). */
export const BUCKET_COLUMN = 'ov$bucket';
/** High / low 32 bits of h0·P^8 mod 2^64. */
export const DIGEST_HI_COLUMN = 'ov$dhi';
export const DIGEST_LO_COLUMN = 'ov$dlo';
/** h0 & 0xff: selects the row of the suffix table. */
export const DIGEST_LOW_BYTE_COLUMN = 'ov$dlow';

/** The bookkeeping columns and their SQL types (nullable: rows written before they existed are backfilled). */
export const DIGEST_COLUMNS: readonly (readonly [string, string])[] = [
  [BUCKET_COLUMN, 'BIGINT'],
  [DIGEST_HI_COLUMN, 'BIGINT'],
  [DIGEST_LO_COLUMN, 'BIGINT'],
  [DIGEST_LOW_BYTE_COLUMN, 'INTEGER'],
];

const MASK64 = (1n << 64n) - 1n;
const PRIME = 0x100000001b3n;
const SUFFIX_LENGTH = 8;
const PRIME_POW = (() => {
  let p = 1n;
  for (let i = 0; i < SUFFIX_LENGTH; i++) p = (p * PRIME) & MASK64;
  return p;
})();

/** Column values `[name, value]` of the bookkeeping columns of object `id` at version `seq`. */
export function digestColumnValues(id: string, seq: number): [string, number][] {
  const [hi, lo] = fnv1a64(`${id}\u0000${seq}.`);
  const g = (((BigInt(hi) << 32n) | BigInt(lo)) * PRIME_POW) & MASK64;
  return [
    [BUCKET_COLUMN, fnv1a32(id) & (MAX_DIGEST_BUCKETS - 1)],
    [DIGEST_HI_COLUMN, Number(g >> 32n)],
    [DIGEST_LO_COLUMN, Number(g & 0xffffffffn)],
    [DIGEST_LOW_BYTE_COLUMN, lo & 0xff],
  ];
}

const tables = new Map<string, readonly (readonly [number, number])[]>();

/**
 * The 256 constants `C_suffix[l]` as `[high, low]` 32-bit halves; `suffix` is the 8 ASCII
 * characters after the version's dot. Cached: a server sees few distinct suffixes.
 */
export function suffixTable(suffix: string): readonly (readonly [number, number])[] {
  let table = tables.get(suffix);
  if (table !== undefined) return table;
  if (suffix.length !== SUFFIX_LENGTH || !/^[\x00-\x7f]*$/.test(suffix)) throw new RangeError('version suffix must be 8 ASCII characters');
  const out: [number, number][] = [];
  for (let l = 0; l < 256; l++) {
    let h = BigInt(l);
    for (let i = 0; i < SUFFIX_LENGTH; i++) h = ((h ^ BigInt(suffix.charCodeAt(i))) * PRIME) & MASK64;
    const c = (h - BigInt(l) * PRIME_POW) & MASK64;
    out.push([Number(c >> 32n), Number(c & 0xffffffffn)]);
  }
  if (tables.size > 1000) tables.clear();
  tables.set(suffix, (table = out));
  return table;
}
