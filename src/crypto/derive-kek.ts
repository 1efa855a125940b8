import { ValidationError } from '../core/errors.js';
import { concatBytes } from './bytes.js';

/**
 * A key-encryption key as two non-extractable handles: `unwrap` (usage unwrapKey) is used at
 * unlock and dropped; `wrap` (usage wrapKey only) may stay in memory while the vault is unlocked,
 * so new key generations can be wrapped for every slot without asking again, while a script in
 * the origin still cannot use it to unwrap existing keys as extractable.
 */
export interface Kek {
  wrap: CryptoKey;
  unwrap: CryptoKey;
}

/** PBKDF2-SHA-256 iterations for passphrase slots (OWASP 2023: 600,000). Lower values are refused. */
export const MIN_PBKDF2_ITERATIONS = 600_000;
export const KEK_SALT_LENGTH = 16;
const encoder = new TextEncoder();

async function importKek(bits: Uint8Array<ArrayBuffer>): Promise<Kek> {
  try {
    const [wrap, unwrap] = await Promise.all([
      crypto.subtle.importKey('raw', bits, { name: 'AES-GCM', length: 256 }, false, ['wrapKey']),
      crypto.subtle.importKey('raw', bits, { name: 'AES-GCM', length: 256 }, false, ['unwrapKey']),
    ]);
    return { wrap, unwrap };
  } finally {
    bits.fill(0); // the raw KEK bytes live only for the two imports
  }
}

/**
 * KEK from a passphrase: PBKDF2-SHA-256 over the NFC-normalized passphrase with a random salt.
 * `iterations` below MIN_PBKDF2_ITERATIONS throws ValidationError (tests may not weaken it either).
 */
export async function deriveKekFromPassphrase(passphrase: string, salt: Uint8Array, iterations: number): Promise<Kek> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new ValidationError('invalid-passphrase', 'A passphrase must be a non-empty string', { rule: 'non-empty' });
  }
  if (!Number.isInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS) {
    throw new ValidationError('weak-kdf', `PBKDF2 needs at least ${MIN_PBKDF2_ITERATIONS} iterations`, { iterations });
  }
  if (!(salt instanceof Uint8Array) || salt.length < KEK_SALT_LENGTH) {
    throw new ValidationError('invalid-salt', 'A KEK salt must be at least 16 bytes', { length: salt?.length });
  }
  const base = await crypto.subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: Uint8Array.from(salt), iterations }, base, 256);
  return importKek(new Uint8Array(bits));
}

/**
 * KEK from a WebAuthn PRF output (32 bytes, full strength): HKDF-SHA-256 with the database id as
 * salt and a purpose label, so the same passkey yields unrelated KEKs for different vaults.
 */
export async function deriveKekFromPrf(prfOutput: Uint8Array, dbId: Uint8Array): Promise<Kek> {
  if (!(prfOutput instanceof Uint8Array) || prfOutput.length !== 32) {
    throw new ValidationError('invalid-prf-output', 'A PRF output must be 32 bytes', { length: prfOutput?.length });
  }
  const base = await crypto.subtle.importKey('raw', Uint8Array.from(prfOutput), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: Uint8Array.from(dbId), info: concatBytes([encoder.encode('offline-vault/kek/prf/v1')]) },
    base,
    256,
  );
  return importKek(new Uint8Array(bits));
}
