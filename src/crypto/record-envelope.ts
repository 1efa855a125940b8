import { IntegrityError, ValidationError, VaultError } from '../core/errors.js';
import { encodeRecordAad, keyTypeName } from './encode-aad.js';
import { fillRandomIv, IV_LENGTH } from './iv-pool.js';
import type { KeySet } from './key-set.js';
import { DB_ID_LENGTH } from './key-set.js';
import { padmeLength } from './padme.js';
import { readU32, writeU32 } from './bytes.js';

/**
 * Record envelope v1 (crypto.md §3.4):
 * `fmt=0x01 ‖ suite=0x01 ‖ keyId u32 BE ‖ IV(12) ‖ ct ‖ tag(16)`, 34 bytes of overhead, over
 * `P = padScheme=0x01 ‖ u32 BE len ‖ payload ‖ zeros` padded to padmeLength(5 + len).
 */

/** What the AAD binds a record to (with the key set's dbId and the envelope header). */
export interface RecordContext {
  store: string;
  schemaVersion: number;
  primaryKey: IDBValidKey;
}

export const ENVELOPE_FORMAT = 0x01;
export const SUITE_AES256_GCM = 0x01;
export const PAD_SCHEME_PADME = 0x01;
export const TAG_LENGTH_BITS = 128;
const HEADER_LENGTH = 6;
const CT_OFFSET = HEADER_LENGTH + IV_LENGTH; // 18
const TAG_BYTES = TAG_LENGTH_BITS / 8;
/** Header + IV + tag. */
export const ENVELOPE_OVERHEAD = CT_OFFSET + TAG_BYTES; // 34
const PLAIN_HEADER = 5;
export const MIN_ENVELOPE_LENGTH = ENVELOPE_OVERHEAD + PLAIN_HEADER;
/** Largest payload: len is a u32 and the padded length must stay below 2^32 too. */
export const MAX_PAYLOAD_LENGTH = 0xf000_0000;

/** Exact envelope length for a payload of `payloadLength` bytes. */
export function envelopeLength(payloadLength: number): number {
  return ENVELOPE_OVERHEAD + padmeLength(PLAIN_HEADER + payloadLength);
}

/** The record-key generation (keyId) in an envelope's header. */
export function envelopeKeyId(envelope: Uint8Array): number {
  return readU32(envelope, 2);
}

/** True for a Uint8Array that looks like a v1 record envelope (fmt 1, suite 1, length ≥ 39). */
export function isEnvelope(value: unknown): boolean {
  return (
    value instanceof Uint8Array &&
    value.length >= MIN_ENVELOPE_LENGTH &&
    value[0] === ENVELOPE_FORMAT &&
    value[1] === SUITE_AES256_GCM
  );
}

const checkedKeySets = new WeakSet<KeySet>();

function checkKeySet(keys: KeySet): void {
  if (checkedKeySets.has(keys)) return;
  if (!(keys.dbId instanceof Uint8Array) || keys.dbId.length !== DB_ID_LENGTH) {
    throw new ValidationError('invalid-key-set', 'dbId must be 16 bytes', { rule: 'db-id-length' });
  }
  const alg = keys.record.primary.key.algorithm as AesKeyAlgorithm;
  if (alg.name !== 'AES-GCM' || alg.length !== 256) {
    throw new ValidationError('invalid-key-set', 'Record key must be AES-256-GCM', { rule: 'record-key-algorithm' });
  }
  checkedKeySets.add(keys);
}

function fail(code: string, message: string, ctx: RecordContext, extra?: Record<string, unknown>): never {
  throw new IntegrityError(code, `${message} (store ${ctx.store})`, {
    store: ctx.store,
    keyType: keyTypeName(ctx.primaryKey),
    ...extra,
  });
}



/**
 * Encrypts `plaintext` under the primary record key, bound to `ctx`. Safe to run thousands of
 * times concurrently. Checklist:
 * - AAD is built (and the context validated) before the IV is drawn or any async step;
 * - the IV lives inside the envelope buffer and is never mutated after encrypt() is called;
 * - the padded plaintext is staged in the ciphertext region and overwritten only after encrypt()
 *   resolved, so an implementation that reads its input lazily still sees the right bytes.
 */
export async function sealRecord(keys: KeySet, ctx: RecordContext, plaintext: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  checkKeySet(keys);
  const len = plaintext.length;
  if (len > MAX_PAYLOAD_LENGTH) {
    throw new ValidationError('payload-too-large', `Payload too large (store ${ctx.store})`, { store: ctx.store });
  }
  const { keyId, key } = keys.record.primary;
  const padded = padmeLength(PLAIN_HEADER + len);
  const env = new Uint8Array(ENVELOPE_OVERHEAD + padded);
  env[0] = ENVELOPE_FORMAT;
  env[1] = SUITE_AES256_GCM;
  writeU32(env, 2, keyId);
  const aad = encodeRecordAad(keys.dbId, env, ctx.store, ctx.schemaVersion, ctx.primaryKey);
  const iv = env.subarray(HEADER_LENGTH, CT_OFFSET);
  fillRandomIv(iv);
  env[CT_OFFSET] = PAD_SCHEME_PADME;
  writeU32(env, CT_OFFSET + 1, len);
  env.set(plaintext, CT_OFFSET + PLAIN_HEADER);
  let ct: ArrayBuffer;
  try {
    ct = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aad, tagLength: TAG_LENGTH_BITS },
      key,
      env.subarray(CT_OFFSET, CT_OFFSET + padded),
    );
  } catch (error) {
    // DOMExceptions from WebCrypto carry no data; keep them for diagnosis.
    throw new VaultError('encrypt-failed', `Encryption failed (store ${ctx.store})`, { store: ctx.store }, { cause: error });
  }
  if (ct.byteLength !== padded + TAG_BYTES) {
    throw new VaultError('encrypt-failed', `Unexpected ciphertext length (store ${ctx.store})`, { store: ctx.store });
  }
  env.set(new Uint8Array(ct), CT_OFFSET);
  return env;
}

/**
 * Verifies and decrypts an envelope sealed for `ctx`; returns the payload (a view into a fresh
 * buffer). The header is allow-listed before any decrypt call (no downgrade). Throws IntegrityError
 * 'truncated' | 'unsupported-format' | 'key-not-found' | 'integrity-check-failed' | 'bad-padding'.
 */
export async function openRecord(keys: KeySet, ctx: RecordContext, envelope: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  checkKeySet(keys);
  if (!(envelope instanceof Uint8Array)) fail('unsupported-format', 'Stored value is not an envelope', ctx);
  if (envelope.length < HEADER_LENGTH) fail('truncated', 'Envelope is truncated', ctx);
  const fmt = envelope[0]!;
  const suite = envelope[1]!;
  if (fmt !== ENVELOPE_FORMAT || suite !== SUITE_AES256_GCM) {
    fail('unsupported-format', 'Unsupported envelope format or suite', ctx, { fmt, suite });
  }
  if (envelope.length < MIN_ENVELOPE_LENGTH) fail('truncated', 'Envelope is truncated', ctx);
  const keyId = readU32(envelope, 2);
  const key = keys.record.all.get(keyId);
  if (key === undefined) fail('key-not-found', 'No record key for the envelope keyId', ctx, { keyId });
  const aad = encodeRecordAad(keys.dbId, envelope, ctx.store, ctx.schemaVersion, ctx.primaryKey);
  // WebCrypto rejects shared buffers at runtime (mapped to integrity-check-failed below).
  const bytes = envelope as Uint8Array<ArrayBuffer>;
  let buf: ArrayBuffer;
  try {
    buf = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(HEADER_LENGTH, CT_OFFSET), additionalData: aad, tagLength: TAG_LENGTH_BITS },
      key,
      bytes.subarray(CT_OFFSET),
    );
  } catch {
    // No cause: the only useful fact is "did not verify".
    fail('integrity-check-failed', 'Record failed its integrity check', ctx, { keyId });
  }
  const p = new Uint8Array(buf);
  if (p.length < PLAIN_HEADER || p[0] !== PAD_SCHEME_PADME) fail('bad-padding', 'Unknown padding scheme', ctx);
  const len = readU32(p, 1);
  const end = PLAIN_HEADER + len;
  if (end > p.length || padmeLength(end) !== p.length) fail('bad-padding', 'Padding length mismatch', ctx);
  for (let i = end; i < p.length; i++) {
    if (p[i] !== 0) fail('bad-padding', 'Non-zero padding', ctx);
  }
  return p.subarray(PLAIN_HEADER, end);
}

/** One record to seal. */
export interface SealItem {
  ctx: RecordContext;
  plaintext: Uint8Array;
}

/** One envelope to open. */
export interface OpenItem {
  ctx: RecordContext;
  envelope: Uint8Array;
}

/** Seals many records concurrently; results are in input order. Rejects with the first error. */
export function sealRecords(keys: KeySet, items: readonly SealItem[]): Promise<Uint8Array<ArrayBuffer>[]> {
  const out = new Array<Promise<Uint8Array<ArrayBuffer>>>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = sealRecord(keys, items[i]!.ctx, items[i]!.plaintext);
  return Promise.all(out);
}

/** Opens many envelopes concurrently; results are in input order. Rejects with the first error. */
export function openRecords(keys: KeySet, items: readonly OpenItem[]): Promise<Uint8Array<ArrayBuffer>[]> {
  const out = new Array<Promise<Uint8Array<ArrayBuffer>>>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = openRecord(keys, items[i]!.ctx, items[i]!.envelope);
  return Promise.all(out);
}
