/**
 * Padmé padding (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
 * Communication with PURBs", PETS 2019): rounds a length L up so that only the top
 * ⌊log2 ⌊log2 L⌋⌋ + 1 bits of the mantissa may be set, which leaks O(log log L) bits
 * with at most +11.1% overhead.
 */

/** Largest length accepted: the envelope stores `len` as a u32. */
export const PADME_MAX_INPUT = 0xffff_ffff;

/** Padded length for an input of `n` bytes (`n` itself for n < 2). Throws RangeError outside [0, 2^32). */
export function padmeLength(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > PADME_MAX_INPUT) {
    throw new RangeError('padmeLength: length must be an integer in [0, 2^32)');
  }
  if (n < 2) return n;
  const e = 31 - Math.clz32(n); // ⌊log2 n⌋, exact for u32
  const s = 32 - Math.clz32(e); // ⌊log2 e⌋ + 1
  const lastBits = e - s;
  if (lastBits <= 0) return n;
  const step = 2 ** lastBits;
  // Arithmetic instead of bit masks: the result may exceed 2^31.
  return Math.ceil(n / step) * step;
}
