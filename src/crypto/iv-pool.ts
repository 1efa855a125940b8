/**
 * Random 96-bit AES-GCM IVs from crypto.getRandomValues, drawn from a pool so a bulk write of
 * thousands of records makes one getRandomValues call per 256 IVs instead of one each.
 * Invariants: pool bytes are handed out at most once (zeroed after use, the whole pool refilled
 * before reuse); there is no way for a caller to supply an IV.
 */

export const IV_LENGTH = 12;
const POOL_IVS = 256;
const pool = new Uint8Array(IV_LENGTH * POOL_IVS);
let next = pool.length;

/** Writes 12 fresh random bytes into `dst` (which must be exactly 12 bytes long). */
export function fillRandomIv(dst: Uint8Array): void {
  if (dst.length !== IV_LENGTH) throw new RangeError('IV buffer must be 12 bytes');
  if (next + IV_LENGTH > pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  const end = next + IV_LENGTH;
  dst.set(pool.subarray(next, end));
  pool.fill(0, next, end);
  next = end;
}
