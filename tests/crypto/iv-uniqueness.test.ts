import { describe, expect, it, vi } from 'vitest';
import { sealRecord } from '../../src/crypto/index.js';
import { ctx, encoder, hex, makeKeys } from './fixtures.js';

const keys = await makeKeys();

describe('random IVs (P12)', () => {
  it('never repeats an IV across 100,000 encryptions of the same plaintext and context', async () => {
    const plaintext = encoder.encode('same');
    const seen = new Set<string>();
    for (let batch = 0; batch < 10; batch++) {
      const envs = await Promise.all(Array.from({ length: 10_000 }, () => sealRecord(keys, ctx('k'), plaintext)));
      for (const env of envs) seen.add(hex(env.subarray(6, 18)));
    }
    expect(seen.size).toBe(100_000);
  });

  it('gives two different envelopes for the same plaintext and context', async () => {
    const plaintext = encoder.encode('{"a":1}');
    const a = await sealRecord(keys, ctx('k'), plaintext);
    const b = await sealRecord(keys, ctx('k'), plaintext);
    expect(a.length).toBe(b.length);
    expect(hex(a)).not.toBe(hex(b));
    expect(hex(a.subarray(18))).not.toBe(hex(b.subarray(18)));
  });

  it('takes IV bytes from crypto.getRandomValues and never from Math.random', async () => {
    vi.resetModules();
    const fresh = await import('../../src/crypto/index.js');
    const produced: Uint8Array[] = [];
    const original = crypto.getRandomValues.bind(crypto);
    const grv = vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const out = original(array as never) as unknown as T;
      produced.push(new Uint8Array((array as Uint8Array).slice()));
      return out;
    });
    const rnd = vi.spyOn(Math, 'random');
    try {
      const envs = await Promise.all(Array.from({ length: 600 }, () => fresh.sealRecord(keys, ctx('k'), encoder.encode('x'))));
      expect(grv).toHaveBeenCalled();
      const pool = produced.map(hex).join('|');
      for (const env of envs) expect(pool).toContain(hex(env.subarray(6, 18)));
      expect(rnd).not.toHaveBeenCalled();
    } finally {
      grv.mockRestore();
      rnd.mockRestore();
    }
  });
});
