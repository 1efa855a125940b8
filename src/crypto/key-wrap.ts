import { BadCredentialsError, IntegrityError, ValidationError } from '../core/errors.js';
import { concatBytes, readU32, writeU32 } from './bytes.js';
import { DB_ID_LENGTH } from './key-set.js';

/**
 * Wrapped-key envelope v1 (crypto.md §3.3), 66 bytes:
 * `fmt=0x01 ‖ wrapAlg=0x01 ‖ slotId u32 BE ‖ IV(12) ‖ AES-GCM(KEK, raw 32-byte key) ‖ tag(16)`,
 * with `WAAD = "offline-vault/keywrap/v1" ‖ dbId(16) ‖ bytes[0..6) ‖ lp(purpose) ‖ u32(keyId) ‖ lp(alg)`,
 * so a blob moved to another slot, purpose, generation or database fails to unwrap.
 */
export const WRAPPED_KEY_FORMAT = 0x01;
export const WRAP_ALG_AES256_GCM = 0x01;
export const WRAPPED_KEY_LENGTH = 66;
export const AAD_KEYWRAP_PREFIX = 'offline-vault/keywrap/v1';

/** What a wrapped data key is for: `record`, `file` or `index:<Entity>/<Attr>`, with its generation. */
export interface WrappedKeyContext {
  dbId: Uint8Array;
  slotId: number;
  purpose: string;
  keyId: number;
}

/** The two algorithms of data keys: AES-256-GCM (records, files) and HMAC-SHA-256 (blind indexes). */
export type DataKeyKind = 'aes-gcm' | 'hmac';

const HEADER = 6;
const IV_OFFSET = HEADER;
const CT_OFFSET = HEADER + 12;

const encoder = new TextEncoder();

function lp(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  const out = new Uint8Array(4 + bytes.length);
  writeU32(out, 0, bytes.length);
  out.set(bytes, 4);
  return out;
}

function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32(out, 0, v);
  return out;
}

function algName(kind: DataKeyKind): string {
  return kind === 'aes-gcm' ? 'AES-GCM' : 'HMAC';
}

function importParams(kind: DataKeyKind): AesKeyAlgorithm | HmacImportParams {
  return kind === 'aes-gcm' ? { name: 'AES-GCM', length: 256 } : { name: 'HMAC', hash: 'SHA-256', length: 256 };
}

/** The file key wraps per-file keys; the vault master key (`vmk`) wraps the data keys. */
function wrapsKeys(purpose: string): boolean {
  return purpose === 'file' || purpose === VMK_PURPOSE;
}

/** Purpose of the vault master key, the one key each unlock slot wraps. */
export const VMK_PURPOSE = 'vmk';

function checkContext(ctx: WrappedKeyContext): void {
  if (!(ctx.dbId instanceof Uint8Array) || ctx.dbId.length !== DB_ID_LENGTH) {
    throw new ValidationError('invalid-db-id', 'dbId must be 16 bytes', { rule: 'dbId' });
  }
  for (const [field, v] of [['slotId', ctx.slotId], ['keyId', ctx.keyId]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new ValidationError('invalid-key-id', `${field} must be a u32`, { field });
  }
}

function wrapAad(ctx: WrappedKeyContext, header: Uint8Array, kind: DataKeyKind): Uint8Array<ArrayBuffer> {
  return concatBytes([encoder.encode(AAD_KEYWRAP_PREFIX), ctx.dbId, header.subarray(0, HEADER), lp(ctx.purpose), u32(ctx.keyId), lp(algName(kind))]);
}

/**
 * Wraps an extractable data key under a KEK (usage wrapKey). The caller drops its extractable copy
 * right after; only the 66-byte blob is stored.
 */
export async function wrapDataKey(kek: CryptoKey, key: CryptoKey, kind: DataKeyKind, ctx: WrappedKeyContext): Promise<Uint8Array> {
  checkContext(ctx);
  const out = new Uint8Array(WRAPPED_KEY_LENGTH);
  out[0] = WRAPPED_KEY_FORMAT;
  out[1] = WRAP_ALG_AES256_GCM;
  writeU32(out, 2, ctx.slotId);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  out.set(iv, IV_OFFSET);
  const wrapped = new Uint8Array(
    await crypto.subtle.wrapKey('raw', key, kek, { name: 'AES-GCM', iv, additionalData: wrapAad(ctx, out, kind), tagLength: 128 }),
  );
  if (wrapped.length !== WRAPPED_KEY_LENGTH - CT_OFFSET) {
    throw new ValidationError('invalid-key-length', 'Only 256-bit data keys can be wrapped', { purpose: ctx.purpose });
  }
  out.set(wrapped, CT_OFFSET);
  return out;
}

/** The slot id in a wrapped-key blob's header. */
export function wrappedSlotId(blob: Uint8Array): number {
  return readU32(blob, 2);
}

/**
 * Unwraps a data key. `extractable` is false for working copies; true only transiently, to wrap
 * the same key under another KEK (changing a passphrase, adding a slot). A wrong KEK, or a blob
 * moved to another slot, purpose, generation or database, fails the tag: BadCredentialsError.
 */
export async function unwrapDataKey(
  kek: CryptoKey,
  blob: Uint8Array,
  kind: DataKeyKind,
  ctx: WrappedKeyContext,
  extractable = false,
): Promise<CryptoKey> {
  checkContext(ctx);
  if (!(blob instanceof Uint8Array) || blob.length !== WRAPPED_KEY_LENGTH || blob[0] !== WRAPPED_KEY_FORMAT || blob[1] !== WRAP_ALG_AES256_GCM) {
    throw new IntegrityError('not-a-wrapped-key', 'A stored wrapped key is malformed', { purpose: ctx.purpose, keyId: ctx.keyId });
  }
  if (wrappedSlotId(blob) !== ctx.slotId) {
    throw new IntegrityError('slot-mismatch', 'A wrapped key belongs to another unlock slot', { purpose: ctx.purpose, keyId: ctx.keyId });
  }
  const usages: KeyUsage[] = kind === 'aes-gcm' ? (wrapsKeys(ctx.purpose) ? ['wrapKey', 'unwrapKey'] : ['encrypt', 'decrypt']) : ['sign'];
  try {
    return await crypto.subtle.unwrapKey(
      'raw',
      blob.slice(CT_OFFSET),
      kek,
      { name: 'AES-GCM', iv: blob.slice(IV_OFFSET, CT_OFFSET), additionalData: wrapAad(ctx, blob, kind), tagLength: 128 },
      importParams(kind),
      extractable,
      usages,
    );
  } catch (error) {
    throw new BadCredentialsError('bad-credentials', 'The credential does not unlock this vault', { slotId: ctx.slotId }, { cause: error });
  }
}

/** A fresh extractable data key, to be wrapped and then dropped. */
export async function generateWrappableKey(kind: DataKeyKind, purpose: string): Promise<CryptoKey> {
  if (kind === 'hmac') return crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign']);
  const usages: KeyUsage[] = wrapsKeys(purpose) ? ['wrapKey', 'unwrapKey'] : ['encrypt', 'decrypt'];
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, usages);
}
