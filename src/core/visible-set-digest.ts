import type { VisibleSetDigest } from './sync-protocol.js';

/*
 * The visible-set digest (docs/protocol.md "Digest"), shared by client and server so both compute
 * the same bits. Pure JS, no crypto.subtle, no BigInt: FNV-1a over the UTF-8 bytes of a string,
 * 64-bit via two 32-bit halves. Not a cryptographic hash: it detects drift, it authenticates nothing.
 *   item hash   = fnv1a64(id + "\0" + version)
 *   bucket      = fnv1a32(id) & (bucketCount - 1)
 *   bucket hash = XOR of its item hashes, 16 lower-case hex digits ("0000000000000000" when empty)
 */

/** Largest bucket count a digest may have. */
export const MAX_DIGEST_BUCKETS = 4096;

/** The UTF-8 bytes of `s` as char codes (lone surrogates encode as U+FFFD, like TextEncoder). */
function utf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

const ASCII = /^[\x00-\x7f]*$/;

/** The bytes to hash: the string itself when ASCII (ids, versions: no copy), else its UTF-8 bytes. */
function bytesOf(s: string): string | number[] {
  return ASCII.test(s) ? s : utf8(s);
}

/** FNV-1a 32-bit of the UTF-8 bytes of `s`, as an unsigned integer. */
export function fnv1a32(s: string): number {
  const b = bytesOf(s);
  let h = 0x811c9dc5;
  if (typeof b === 'string') for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), 0x01000193);
  else for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/** FNV-1a 64-bit of the UTF-8 bytes of `s` as `[high, low]` unsigned 32-bit halves. */
export function fnv1a64(s: string): [number, number] {
  const b = bytesOf(s);
  // offset basis 0xcbf29ce484222325, prime 0x100000001b3 = 2^40 + 0x1b3
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const n = b.length;
  for (let i = 0; i < n; i++) {
    lo = (lo ^ (typeof b === 'string' ? b.charCodeAt(i) : b[i]!)) >>> 0;
    const loMul = lo * 0x1b3; // < 2^41: exact in a double
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + Math.floor(loMul / 0x100000000)) >>> 0; // h * 2^40 adds lo << 8 to the high half
    lo = loMul >>> 0;
  }
  return [hi, lo];
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** 16 hex digits of a 64-bit value. */
export function hex64([hi, lo]: readonly [number, number]): string {
  return hex8(hi) + hex8(lo);
}

/** Hash of one digest item: `fnv1a64(id + "\0" + version)`. */
export function digestItemHash(id: string, version: string): [number, number] {
  return fnv1a64(`${id}\u0000${version}`);
}

/** The bucket of an id for `bucketCount` buckets (a power of two). */
export function digestBucketOf(id: string, bucketCount: number): number {
  return fnv1a32(id) & (bucketCount - 1);
}

/** Whether `n` is a valid bucket count: a power of two from 1 to 4096. */
export function isDigestBucketCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_DIGEST_BUCKETS && (n & (n - 1)) === 0;
}

/** The bucket count the server uses for `count` visible objects: about 64 objects per bucket. */
export function digestBucketCountFor(count: number): number {
  let n = 1;
  while (n < MAX_DIGEST_BUCKETS && n * 64 < count) n *= 2;
  return n;
}

/** The digest of a set of `[id, version]` items (order does not matter; ids must be unique). */
export function computeVisibleSetDigest(items: Iterable<readonly [string, string]>, bucketCount: number): VisibleSetDigest {
  if (!isDigestBucketCount(bucketCount)) throw new RangeError('bucketCount must be a power of two from 1 to 4096');
  const hi = new Uint32Array(bucketCount);
  const lo = new Uint32Array(bucketCount);
  for (const [id, version] of items) {
    const b = digestBucketOf(id, bucketCount);
    const [h, l] = digestItemHash(id, version);
    hi[b] = (hi[b]! ^ h) >>> 0;
    lo[b] = (lo[b]! ^ l) >>> 0;
  }
  const buckets: string[] = [];
  for (let b = 0; b < bucketCount; b++) buckets.push(hex8(hi[b]!) + hex8(lo[b]!));
  return { bucketCount, buckets };
}

/**
 * Indexes of the buckets where two digests of the same bucket count differ. Throws RangeError
 * when the bucket counts differ (compute the local digest with the server's count).
 */
export function differingBuckets(a: VisibleSetDigest, b: VisibleSetDigest): number[] {
  if (a.bucketCount !== b.bucketCount || a.buckets.length !== b.buckets.length) throw new RangeError('digests have different bucket counts');
  const out: number[] = [];
  for (let i = 0; i < a.buckets.length; i++) if (a.buckets[i] !== b.buckets[i]) out.push(i);
  return out;
}
