import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { deriveKekFromPassphrase, deriveKekFromPrf, KEK_SALT_LENGTH, MIN_PBKDF2_ITERATIONS, type Kek } from '../../src/crypto/derive-kek.js';
import { generateWrappableKey, unwrapDataKey, wrapDataKey } from '../../src/crypto/key-wrap.js';

const salt = Uint8Array.from({ length: KEK_SALT_LENGTH }, (_, i) => i);
const dbId = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
const ctx = { dbId, slotId: 1, purpose: 'vmk', keyId: 1 };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Whether a key wrapped under `a` unwraps under `b` (the two KEKs are the same secret). */
async function sameKek(a: Kek, b: Kek): Promise<boolean> {
  const blob = await wrapDataKey(a.wrap, await generateWrappableKey('aes-gcm', 'vmk'), 'aes-gcm', ctx);
  try {
    await unwrapDataKey(b.unwrap, blob, 'aes-gcm', ctx);
    return true;
  } catch {
    return false;
  }
}

describe('deriveKekFromPassphrase', () => {
  it.each([0, 1, 100_000, MIN_PBKDF2_ITERATIONS - 1, 600_000.5, Number.NaN])('refuses %d iterations with ValidationError weak-kdf', async (iterations) => {
    const error = await rejection(deriveKekFromPassphrase('correct horse', salt, iterations));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'weak-kdf' });
  });

  it.each([
    { case: 'an empty passphrase', passphrase: '' },
    { case: 'a non-string passphrase', passphrase: 12345 as unknown as string },
  ])('refuses $case with ValidationError invalid-passphrase', async ({ passphrase }) => {
    expect(await rejection(deriveKekFromPassphrase(passphrase, salt, MIN_PBKDF2_ITERATIONS))).toMatchObject({ name: 'ValidationError', code: 'invalid-passphrase' });
  });

  it('refuses a salt shorter than 16 bytes', async () => {
    expect(await rejection(deriveKekFromPassphrase('pw', new Uint8Array(15), MIN_PBKDF2_ITERATIONS))).toMatchObject({ code: 'invalid-salt' });
  });

  it('gives two non-extractable handles, one that only wraps and one that only unwraps', async () => {
    const kek = await deriveKekFromPassphrase('correct horse', salt, MIN_PBKDF2_ITERATIONS);
    expect(kek.wrap.extractable).toBe(false);
    expect(kek.unwrap.extractable).toBe(false);
    expect([...kek.wrap.usages]).toEqual(['wrapKey']);
    expect([...kek.unwrap.usages]).toEqual(['unwrapKey']);
  });

  it('derives the same KEK for the same passphrase and salt, another for another salt or passphrase', async () => {
    const [a, b, otherSalt, otherPassphrase] = await Promise.all([
      deriveKekFromPassphrase('correct horse', salt, MIN_PBKDF2_ITERATIONS),
      deriveKekFromPassphrase('correct horse', Uint8Array.from(salt), MIN_PBKDF2_ITERATIONS),
      deriveKekFromPassphrase('correct horse', salt.map((v) => v + 1), MIN_PBKDF2_ITERATIONS),
      deriveKekFromPassphrase('correct horsE', salt, MIN_PBKDF2_ITERATIONS),
    ]);
    expect(await sameKek(a, b)).toBe(true);
    expect(await sameKek(a, otherSalt)).toBe(false);
    expect(await sameKek(a, otherPassphrase)).toBe(false);
  });

  it('normalizes the passphrase to NFC, so a composed and a decomposed é give the same KEK', async () => {
    const [composed, decomposed] = await Promise.all([
      deriveKekFromPassphrase('caf\u00e9', salt, MIN_PBKDF2_ITERATIONS),
      deriveKekFromPassphrase('cafe\u0301', salt, MIN_PBKDF2_ITERATIONS),
    ]);
    expect(await sameKek(composed, decomposed)).toBe(true);
  });
});

describe('deriveKekFromPrf', () => {
  const prf = Uint8Array.from({ length: 32 }, (_, i) => i * 3);

  it.each([0, 16, 31, 33, 64])('refuses a %d-byte PRF output with ValidationError invalid-prf-output', async (length) => {
    expect(await rejection(deriveKekFromPrf(new Uint8Array(length), dbId))).toMatchObject({ name: 'ValidationError', code: 'invalid-prf-output' });
  });

  it('derives the same KEK for the same output and vault, another for another vault or output', async () => {
    const otherDb = dbId.map((v) => v ^ 0xff);
    const [a, b, otherVault, otherOutput] = await Promise.all([
      deriveKekFromPrf(prf, dbId),
      deriveKekFromPrf(Uint8Array.from(prf), dbId),
      deriveKekFromPrf(prf, otherDb),
      deriveKekFromPrf(prf.map((v) => v ^ 1), dbId),
    ]);
    expect(await sameKek(a, b)).toBe(true);
    expect(await sameKek(a, otherVault)).toBe(false);
    expect(await sameKek(a, otherOutput)).toBe(false);
  });

  it('leaves the caller its PRF output (the caller wipes it)', async () => {
    const copy = Uint8Array.from(prf);
    await deriveKekFromPrf(copy, dbId);
    expect([...copy]).toEqual([...prf]);
  });
});
