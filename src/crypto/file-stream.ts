import { IntegrityError, ValidationError, VaultError } from '../core/errors.js';
import { AAD_SEGMENT_PREFIX, NONCE_PREFIX_LENGTH, SEGMENT_SIZE, SEGMENT_TAG_LENGTH, type FileStreamContext } from './file-header.js';

/**
 * Segments of the STREAM format (crypto.md §3.6):
 * `nonce_i = noncePrefix(7) ‖ u32BE(i) ‖ u8(isLast)`, `ct_i = AES-GCM(FEK, nonce_i, AAD, pt_i)`.
 * Non-final segments hold exactly 65,536 plaintext bytes; the final one 1..65,536 (0 only when the
 * whole file is empty, i.e. segment 0 is final).
 *
 * A file version may also carry one sealed metadata record (its content type), under the nonce
 * `noncePrefix ‖ u32(0) ‖ 0x02`: the flag byte 2 is never used by a segment, so nonces stay unique
 * per FEK, and its AAD has its own prefix.
 */

export const MAX_SEGMENT_INDEX = 0xffff_ffff;
const FLAG_META = 0x02;
export const AAD_FILE_META_PREFIX = 'offline-vault/file-meta/v1';
const META_PREFIX_BYTES = new TextEncoder().encode(AAD_FILE_META_PREFIX);
const SEGMENT_PREFIX_LENGTH = new TextEncoder().encode(AAD_SEGMENT_PREFIX).length;
const MAX_META_LENGTH = 4096;

function nonce(ctx: FileStreamContext, index: number, flag: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(index) || index < 0 || index > MAX_SEGMENT_INDEX) {
    throw new ValidationError('invalid-segment-index', 'Segment index must be a u32', { index });
  }
  const n = new Uint8Array(NONCE_PREFIX_LENGTH + 5);
  n.set(ctx.noncePrefix);
  new DataView(n.buffer).setUint32(NONCE_PREFIX_LENGTH, index);
  n[NONCE_PREFIX_LENGTH + 4] = flag;
  return n;
}

function checkPlainLength(index: number, isLast: boolean, length: number): void {
  const ok = isLast ? length <= SEGMENT_SIZE && (length > 0 || index === 0) : length === SEGMENT_SIZE;
  if (!ok) {
    throw new ValidationError('invalid-segment-length', 'Segment plaintext has the wrong length for its position', { index, isLast, length });
  }
}

/** True when a ciphertext length fits its position (checked before any decrypt call). */
function ciphertextLengthFits(index: number, isLast: boolean, length: number): boolean {
  const plain = length - SEGMENT_TAG_LENGTH;
  return isLast ? plain >= (index === 0 ? 0 : 1) && plain <= SEGMENT_SIZE : plain === SEGMENT_SIZE;
}

async function tryDecrypt(ctx: FileStreamContext, iv: Uint8Array<ArrayBuffer>, ct: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: ctx.aad, tagLength: 128 }, ctx.fek, ct));
  } catch {
    return undefined;
  }
}

/** Encrypts segment `index` of a file. Returns `ct ‖ tag` (|pt| + 16 bytes). */
export async function sealSegment(ctx: FileStreamContext, index: number, isLast: boolean, plaintext: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  checkPlainLength(index, isLast, plaintext.length);
  const iv = nonce(ctx, index, isLast ? 1 : 0);
  try {
    const ct = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: ctx.aad, tagLength: 128 },
      ctx.fek,
      plaintext as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(ct);
  } catch (error) {
    throw new VaultError('encrypt-failed', 'Encrypting a file segment failed', { index }, { cause: error });
  }
}

/**
 * Verifies and decrypts segment `index`, expected to be final or not. Plaintext is returned only
 * after the tag verified. On failure it tells why, without releasing anything:
 * - 'truncated': expected final, but the segment verifies as non-final (the file was cut);
 * - 'extra-data': expected non-final, but it verifies as the final segment (records follow it);
 * - 'integrity-check-failed': it verifies under neither flag (altered, moved, spliced).
 */
export async function openSegment(ctx: FileStreamContext, index: number, isLast: boolean, ciphertext: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const ct = ciphertext as Uint8Array<ArrayBuffer>;
  if (!(ct instanceof Uint8Array)) {
    throw new IntegrityError('integrity-check-failed', 'File segment is not a byte array', { index });
  }
  if (ciphertextLengthFits(index, isLast, ct.length)) {
    const plain = await tryDecrypt(ctx, nonce(ctx, index, isLast ? 1 : 0), ct);
    if (plain !== undefined) return plain;
  }
  // Diagnose with the other flag; its plaintext (if any) is dropped unread.
  if (ciphertextLengthFits(index, !isLast, ct.length) && (await tryDecrypt(ctx, nonce(ctx, index, isLast ? 0 : 1), ct)) !== undefined) {
    throw isLast
      ? new IntegrityError('truncated', 'File ends before its final segment', { index })
      : new IntegrityError('extra-data', 'File has data after its final segment', { index });
  }
  throw new IntegrityError('integrity-check-failed', 'File segment failed its integrity check', { index });
}

function metaAad(ctx: FileStreamContext): Uint8Array<ArrayBuffer> {
  // ctx.aad = segment prefix ‖ dbId ‖ fileId ‖ H: reuse its binding under the meta prefix.
  const binding = ctx.aad.subarray(SEGMENT_PREFIX_LENGTH);
  const out = new Uint8Array(META_PREFIX_BYTES.length + binding.length);
  out.set(META_PREFIX_BYTES);
  out.set(binding, META_PREFIX_BYTES.length);
  return out;
}

/** Seals a file version's small metadata (e.g. `{ contentType }`) under its FEK. */
export async function sealFileMeta(ctx: FileStreamContext, meta: Readonly<Record<string, unknown>>): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new TextEncoder().encode(JSON.stringify(meta));
  if (bytes.length > MAX_META_LENGTH) throw new ValidationError('file-meta-too-large', 'File metadata is too large', { length: bytes.length });
  try {
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce(ctx, 0, FLAG_META), additionalData: metaAad(ctx), tagLength: 128 }, ctx.fek, bytes);
    return new Uint8Array(ct);
  } catch (error) {
    throw new VaultError('encrypt-failed', 'Encrypting file metadata failed', {}, { cause: error });
  }
}

/** Opens what `sealFileMeta` sealed. Throws IntegrityError 'integrity-check-failed'. */
export async function openFileMeta(ctx: FileStreamContext, sealed: Uint8Array): Promise<Record<string, unknown>> {
  const plain = sealed instanceof Uint8Array ? await tryDecrypt({ ...ctx, aad: metaAad(ctx) }, nonce(ctx, 0, FLAG_META), sealed as Uint8Array<ArrayBuffer>) : undefined;
  if (plain === undefined) throw new IntegrityError('integrity-check-failed', 'File metadata failed its integrity check', { rule: 'file-meta' });
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(plain));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: authenticated but not ours
  }
  throw new IntegrityError('integrity-check-failed', 'File metadata is malformed', { rule: 'file-meta' });
}
