import { describe, expect, it, vi } from 'vitest';
import { BlindIndexCache, blindIndex } from '../../src/crypto/index.js';
import { hex, makeKeys } from './fixtures.js';

const bytes = (n: number): Uint8Array => Uint8Array.of(n);

describe('BlindIndexCache', () => {
  it('returns stored values and misses on unknown ones, keeping index names apart', () => {
    const cache = new BlindIndexCache(10);
    cache.set('A/b', 'x', bytes(1));
    expect(cache.get('A/b', 'x')).toEqual(bytes(1));
    expect(cache.get('A/c', 'x')).toBeUndefined();
    // ('a:b', 'c') and ('a', 'b:c') must not share a slot
    cache.set('a:b', 'c', bytes(2));
    expect(cache.get('a', 'b:c')).toBeUndefined();
  });

  it('evicts the least recently used entry at capacity', () => {
    const cache = new BlindIndexCache(3);
    cache.set('i', 'a', bytes(1));
    cache.set('i', 'b', bytes(2));
    cache.set('i', 'c', bytes(3));
    cache.get('i', 'a'); // a becomes most recent
    cache.set('i', 'd', bytes(4));
    expect(cache.size).toBe(3);
    expect(cache.get('i', 'b')).toBeUndefined();
    expect(cache.get('i', 'a')).toEqual(bytes(1));
    expect(cache.get('i', 'd')).toEqual(bytes(4));
  });

  it('defaults to a cap of 10,000 entries', () => {
    const cache = new BlindIndexCache();
    for (let i = 0; i < 10_500; i++) cache.set('i', String(i), bytes(i & 0xff));
    expect(cache.capacity).toBe(10_000);
    expect(cache.size).toBe(10_000);
    expect(cache.get('i', '0')).toBeUndefined();
    expect(cache.get('i', '10499')).toEqual(bytes(10_499 & 0xff));
  });

  it('computes each repeated value once during a concurrent bulk write', async () => {
    const keys = await makeKeys();
    const key = keys.index.get('Sales.Order/Status')!;
    const cache = new BlindIndexCache();
    const sign = vi.spyOn(crypto.subtle, 'sign');
    try {
      const values = Array.from({ length: 1000 }, (_, i) => ['Open', 'Closed', 'Draft'][i % 3]!);
      const results = await Promise.all(values.map((v) => cache.lookup('Sales.Order/Status', key, 13, v)));
      expect(sign).toHaveBeenCalledTimes(3);
      for (let i = 0; i < values.length; i++) {
        expect(hex(results[i]!)).toBe(hex(await blindIndex(key, 13, values[i]!)));
      }
    } finally {
      sign.mockRestore();
    }
  });

  it('does not cache a failed computation', async () => {
    const cache = new BlindIndexCache();
    await expect(cache.getOrCompute('i', 'v', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(cache.getOrCompute('i', 'v', () => Promise.resolve(bytes(9)))).resolves.toEqual(bytes(9));
  });

  it('drops entries on clear and ignores computations that finish after it', async () => {
    const cache = new BlindIndexCache();
    cache.set('i', 'a', bytes(1));
    let release!: (b: Uint8Array) => void;
    const pending = cache.getOrCompute('i', 'late', () => new Promise<Uint8Array>((r) => (release = r)));
    cache.clear();
    release(bytes(5));
    await expect(pending).resolves.toEqual(bytes(5));
    expect(cache.size).toBe(0);
    expect(cache.get('i', 'late')).toBeUndefined();
  });
});
