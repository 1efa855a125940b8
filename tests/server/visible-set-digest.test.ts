import { describe, expect, test } from 'vitest';
import {
  computeVisibleSetDigest,
  differingBuckets,
  digestBucketCountFor,
  digestBucketOf,
  fnv1a32,
  fnv1a64,
  hex64,
  isDigestBucketCount,
} from '../../src/core/visible-set-digest.js';

/** Reference FNV-1a with BigInt over TextEncoder bytes. */
function reference64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}
function reference32(s: string): number {
  let h = 0x811c9dc5n;
  for (const b of new TextEncoder().encode(s)) h = ((h ^ BigInt(b)) * 0x01000193n) & 0xffffffffn;
  return Number(h);
}

describe('visible-set digest', () => {
  const samples = ['', 'a', 'foobar', '00000000-0000-4000-8000-c00000000001\u00001.3cba1c93', 'Ünïcødé €', '😀 emoji', 'lone \ud800 surrogate', 'x'.repeat(1000)];

  test.each(samples)('FNV-1a 64 and 32 of %j equal a BigInt reference over UTF-8 bytes', (s) => {
    expect(hex64(fnv1a64(s))).toBe(reference64(s));
    expect(fnv1a32(s)).toBe(reference32(s));
  });

  test('known FNV-1a test vectors hold', () => {
    expect(hex64(fnv1a64('a'))).toBe('af63dc4c8601ec8c');
    expect(hex64(fnv1a64('foobar'))).toBe('85944171f73967e8');
    expect(fnv1a32('foobar').toString(16)).toBe('bf9cf968');
  });

  test('the digest does not depend on item order and changes with any version', () => {
    const items = Array.from({ length: 300 }, (_, i) => [`id-${i}`, `${i}.abc`] as const);
    const a = computeVisibleSetDigest(items, 8);
    const b = computeVisibleSetDigest([...items].reverse(), 8);
    expect(b).toEqual(a);
    const changed = items.map((it, i) => (i === 17 ? ([it[0], '99.abc'] as const) : it));
    const c = computeVisibleSetDigest(changed, 8);
    expect(differingBuckets(a, c)).toEqual([digestBucketOf('id-17', 8)]);
    const removed = computeVisibleSetDigest(items.filter((_, i) => i !== 5), 8);
    expect(differingBuckets(a, removed)).toEqual([digestBucketOf('id-5', 8)]);
  });

  test('an empty bucket is sixteen zeros and bucket counts are powers of two up to 4096', () => {
    expect(computeVisibleSetDigest([], 4).buckets).toEqual(Array(4).fill('0000000000000000'));
    expect([1, 2, 64, 4096].every(isDigestBucketCount)).toBe(true);
    expect([0, 3, 8192, 1.5, '4'].some(isDigestBucketCount)).toBe(false);
    expect(digestBucketCountFor(10)).toBe(1);
    expect(digestBucketCountFor(100_000)).toBe(2048);
    expect(digestBucketCountFor(10_000_000)).toBe(4096);
    expect(() => differingBuckets(computeVisibleSetDigest([], 2), computeVisibleSetDigest([], 4))).toThrow(RangeError);
  });
});
