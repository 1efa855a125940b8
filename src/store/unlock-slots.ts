import { BadCredentialsError, ValidationError } from '../core/errors.js';
import { KEK_SALT_LENGTH, MIN_PBKDF2_ITERATIONS, deriveKekFromPassphrase, deriveKekFromPrf, type Kek } from '../crypto/derive-kek.js';
import { generateWrappableKey, unwrapDataKey, VMK_PURPOSE, wrapDataKey } from '../crypto/key-wrap.js';
import { evaluatePasskey, registerPasskey, type WebAuthnLike } from '../crypto/passkey-prf.js';
import { SLOT_PREFIX, type SlotRow } from './keyring-rows.js';

/** What unlocks a vault at the passphrase or passkey level. */
export type UnlockCredential = { passphrase: string } | { passkey: true };

/** A stronger protection, or another way to unlock: a passphrase or a passkey with the PRF extension. */
export type ProtectionTarget = { level: 'passphrase'; passphrase: string } | { level: 'passkey' };

/** WebAuthn settings of passkey slots; `webauthn` defaults to `navigator.credentials`. */
export interface PasskeyOptions {
  webauthn?: WebAuthnLike;
  rpId?: string;
  rpName?: string;
  userName?: string;
}

function checkCredential(credential: unknown): asserts credential is UnlockCredential {
  const c = credential as { passphrase?: unknown; passkey?: unknown } | null;
  if (c === null || typeof c !== 'object' || (typeof c.passphrase !== 'string' && c.passkey !== true)) {
    throw new ValidationError('invalid-credential', 'Unlock needs { passphrase } or { passkey: true }', { option: 'credential' });
  }
}

/** The row name of slot `id`. */
export function slotName(id: number): string {
  return `${SLOT_PREFIX}${id}`;
}

function vmkContext(dbId: Uint8Array, slotId: number) {
  return { dbId, slotId, purpose: VMK_PURPOSE, keyId: 1 };
}

/** A new vault master key, extractable only until it is wrapped by the first slot. */
export function createVmk(): Promise<CryptoKey> {
  return generateWrappableKey('aes-gcm', VMK_PURPOSE);
}

/**
 * A new slot (not stored yet) wrapping `vmk` (extractable): a random PBKDF2 salt, or a new
 * passkey registration whose PRF output is turned into the KEK and then wiped. Returns the slot
 * and a non-extractable working copy of the VMK, unwrapped from the new slot itself.
 */
export async function createSlot(
  target: ProtectionTarget,
  id: number,
  dbId: Uint8Array,
  passkey: PasskeyOptions,
  vmk: CryptoKey,
): Promise<{ slot: SlotRow; vmk: CryptoKey }> {
  const withCopy = async (slot: SlotRow, kek: Kek) => ({ slot, vmk: await unwrapDataKey(kek.unwrap, slot.vmk, 'aes-gcm', vmkContext(dbId, id)) });
  const created = new Date().toISOString();
  if (target?.level === 'passphrase') {
    const salt = crypto.getRandomValues(new Uint8Array(KEK_SALT_LENGTH));
    const kek = await deriveKekFromPassphrase(target.passphrase, salt, MIN_PBKDF2_ITERATIONS);
    const wrapped = await wrapDataKey(kek.wrap, vmk, 'aes-gcm', vmkContext(dbId, id));
    return withCopy({ name: slotName(id), id, kind: 'passphrase', created, salt, iterations: MIN_PBKDF2_ITERATIONS, vmk: wrapped }, kek);
  }
  if (target?.level === 'passkey') {
    const registration = await registerPasskey({
      ...(passkey.webauthn === undefined ? {} : { webauthn: passkey.webauthn }),
      ...(passkey.rpId === undefined ? {} : { rpId: passkey.rpId }),
      rpName: passkey.rpName ?? 'offline-vault',
      userName: passkey.userName ?? 'vault',
    });
    const kek = await deriveKekFromPrf(registration.prfOutput, dbId);
    registration.prfOutput.fill(0);
    const wrapped = await wrapDataKey(kek.wrap, vmk, 'aes-gcm', vmkContext(dbId, id));
    return withCopy({ name: slotName(id), id, kind: 'passkey', created, credentialId: registration.credentialId, prfSalt: registration.prfSalt, vmk: wrapped }, kek);
  }
  throw new ValidationError('invalid-protection', "A protection target is { level: 'passphrase', passphrase } or { level: 'passkey' }", { option: 'level' });
}

/**
 * The slot a credential opens and the VMK it wraps (non-extractable unless `extractable`, which
 * only slot management asks for, to wrap the VMK under another slot). A wrong passphrase, or a
 * passkey of no slot, is BadCredentialsError and leaves nothing in memory.
 */
export async function openSlot(
  credential: UnlockCredential,
  slots: readonly SlotRow[],
  dbId: Uint8Array,
  passkey: PasskeyOptions,
  extractable = false,
): Promise<{ slot: SlotRow; vmk: CryptoKey }> {
  checkCredential(credential);
  if ('passphrase' in credential) {
    const candidates = slots.filter((s): s is Extract<SlotRow, { kind: 'passphrase' }> => s.kind === 'passphrase');
    for (const slot of candidates) {
      const kek = await deriveKekFromPassphrase(credential.passphrase, slot.salt, slot.iterations);
      try {
        return { slot, vmk: await unwrapDataKey(kek.unwrap, slot.vmk, 'aes-gcm', vmkContext(dbId, slot.id), extractable) };
      } catch (error) {
        if (!(error instanceof BadCredentialsError)) throw error;
      }
    }
    throw new BadCredentialsError('bad-credentials', 'The passphrase does not unlock this vault', { slots: candidates.length });
  }
  const passkeySlots = slots.filter((s): s is Extract<SlotRow, { kind: 'passkey' }> => s.kind === 'passkey');
  if (passkeySlots.length === 0) throw new BadCredentialsError('no-passkey-slot', 'This vault has no passkey', {});
  const answer = await evaluatePasskey({
    ...(passkey.webauthn === undefined ? {} : { webauthn: passkey.webauthn }),
    ...(passkey.rpId === undefined ? {} : { rpId: passkey.rpId }),
    slots: passkeySlots.map((s) => ({ credentialId: s.credentialId, prfSalt: s.prfSalt })),
  });
  const slot = passkeySlots.find((s) => sameBytes(s.credentialId, answer.credentialId));
  if (slot === undefined) throw new BadCredentialsError('unknown-passkey', 'The passkey used is not one of this vault', {});
  const kek = await deriveKekFromPrf(answer.prfOutput, dbId);
  answer.prfOutput.fill(0);
  return { slot, vmk: await unwrapDataKey(kek.unwrap, slot.vmk, 'aes-gcm', vmkContext(dbId, slot.id), extractable) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
