import { describe, expect, it } from 'vitest';
import { padmeLength } from '../../src/crypto/index.js';

/**
 * Independent Padmé reference (PURBs paper, Algorithm 1) with BigInt and bit-string lengths
 * instead of clz32 and floating point: E = ⌊log2 L⌋, S = ⌊log2 E⌋ + 1, z = E − S,
 * m = 2^z − 1, result (L + m) & ~m.
 */
function referencePadme(length: number): number {
  if (length < 2) return length;
  const l = BigInt(length);
  const e = l.toString(2).length - 1;
  const s = e.toString(2).length;
  const z = BigInt(e - s);
  const m = (1n << z) - 1n;
  return Number((l + m) & ~m);
}

describe('padmeLength', () => {
  it('matches the reference implementation for every length up to 2^20', () => {
    for (let n = 0; n <= 1 << 20; n++) {
      if (padmeLength(n) !== referencePadme(n)) expect.fail(`length ${n}: ${padmeLength(n)} vs ${referencePadme(n)}`);
    }
  });

  it.each([2 ** 24 - 1, 2 ** 24 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 12345, 2 ** 32 - 1])(
    'matches the reference for the large length %i',
    (n) => {
      expect(padmeLength(n)).toBe(referencePadme(n));
    },
  );

  it('never shrinks and is idempotent', () => {
    for (let n = 0; n < 70_000; n += 7) {
      const p = padmeLength(n);
      expect(p).toBeGreaterThanOrEqual(n);
      expect(padmeLength(p)).toBe(p);
    }
  });

  it('leaks few distinct lengths for payloads of 1..65,536 bytes (the exact reference count)', () => {
    const ours = new Set<number>();
    const reference = new Set<number>();
    for (let len = 1; len <= 65_536; len++) {
      ours.add(padmeLength(5 + len));
      reference.add(referencePadme(5 + len));
    }
    expect(ours.size).toBe(reference.size);
    expect(ours.size).toBeLessThan(200);
  });

  it('keeps the relative overhead within 12% (the observed maximum is 5/43 at L = 129)', () => {
    let worst = 0;
    let worstAt = 0;
    for (let n = 2; n <= 1 << 20; n++) {
      const overhead = (padmeLength(n) - n) / n;
      if (overhead > worst) [worst, worstAt] = [overhead, n];
    }
    expect(worst).toBeLessThan(0.12);
    expect(worstAt).toBe(129);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 32])('rejects the invalid length %d', (n) => {
    expect(() => padmeLength(n)).toThrow(RangeError);
  });
});
