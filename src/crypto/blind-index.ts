import { ValidationError } from '../core/errors.js';

/**
 * Blind index (crypto.md §3.7): `HMAC-SHA-256(K_idx, "offline-vault/bi/v1" ‖ lp(value))`, first
 * ⌈bits/8⌉ bytes, the low `8⌈bits/8⌉ − bits` bits of the last byte zeroed (as CipherSweet does).
 * Strings are UTF-8 encoded; lone surrogates become U+FFFD, which can only add false positives,
 * and query results are filtered after decryption anyway.
 */

export const BLIND_INDEX_PREFIX = 'offline-vault/bi/v1';
const encoder = new TextEncoder();
const PREFIX_BYTES = encoder.encode(BLIND_INDEX_PREFIX);

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 256) {
    throw new ValidationError('invalid-blind-index-bits', 'Blind index bits must be an integer in [1, 256]', {
      rule: 'bits-range',
    });
  }
}

async function macTruncated(key: CryptoKey, bits: number, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  const n = Math.ceil(bits / 8);
  // slice, not subarray: IndexedDB clones a view's whole buffer.
  const out = mac.slice(0, n);
  const spare = n * 8 - bits;
  if (spare > 0) out[n - 1] = out[n - 1]! & ((0xff << spare) & 0xff);
  return out;
}

/** Appends lp(utf8(s)) at `pos`; returns the new position. `buf` must have 4 + 3·|s| bytes free. */
function putLp(buf: Uint8Array, pos: number, s: string): number {
  const { written } = encoder.encodeInto(s, buf.subarray(pos + 4));
  new DataView(buf.buffer, buf.byteOffset).setUint32(pos, written);
  return pos + 4 + written;
}

/** Blind index of one string value, `bits` long (1..256), as ⌈bits/8⌉ bytes. */
export async function blindIndex(key: CryptoKey, bits: number, value: string): Promise<Uint8Array<ArrayBuffer>> {
  checkBits(bits);
  const buf = new Uint8Array(PREFIX_BYTES.length + 4 + value.length * 3);
  buf.set(PREFIX_BYTES);
  const end = putLp(buf, PREFIX_BYTES.length, value);
  return macTruncated(key, bits, buf.subarray(0, end));
}

/**
 * Compound blind index over several parts: HMAC over prefix ‖ lp(a) ‖ lp(b) ‖ …; for one part it
 * equals `blindIndex`. Use a fixed number of parts per index (each index has its own key).
 */
export async function blindIndexParts(key: CryptoKey, bits: number, parts: readonly string[]): Promise<Uint8Array<ArrayBuffer>> {
  checkBits(bits);
  let size = PREFIX_BYTES.length;
  for (const part of parts) size += 4 + part.length * 3;
  const buf = new Uint8Array(size);
  buf.set(PREFIX_BYTES);
  let pos = PREFIX_BYTES.length;
  for (const part of parts) pos = putLp(buf, pos, part);
  return macTruncated(key, bits, buf.subarray(0, pos));
}
