import { IntegrityError, KeyLostError, VaultError } from '../core/errors.js';
import { DB_ID_LENGTH, type RecordKey } from './key-set.js';
import { concatBytes, readU32 } from './bytes.js';

/**
 * STREAM file header of crypto.md §3.6 (91 bytes):
 * `fmt=0x01 ‖ suite=0x02 ‖ log2SegSize=16 ‖ reserved=0 ‖ fileId(16) ‖ noncePrefix(7) ‖
 *  fileKeyId u32 BE ‖ wrappedFEK = IV(12) ‖ ct(32) ‖ tag(16)`,
 * the FEK wrapped by K_file with `WAAD = "offline-vault/fek/v1" ‖ dbId ‖ fileId ‖ u32(fileKeyId)`.
 * Every segment's AAD carries SHA-256(header), so no header byte can change unnoticed.
 */

export const FILE_FORMAT = 0x01;
export const SUITE_STREAM_AES256_GCM = 0x02;
export const LOG2_SEGMENT_SIZE = 16;
/** Plaintext bytes per segment (64 KiB); the final segment holds 1..S bytes (0 only for an empty file). */
export const SEGMENT_SIZE = 1 << LOG2_SEGMENT_SIZE;
export const FILE_ID_LENGTH = 16;
export const NONCE_PREFIX_LENGTH = 7;
export const FILE_HEADER_LENGTH = 91;
export const SEGMENT_TAG_LENGTH = 16;
export const AAD_FEK_PREFIX = 'offline-vault/fek/v1';
export const AAD_SEGMENT_PREFIX = 'offline-vault/seg/v1';

const OFF_FILE_ID = 4;
const OFF_PREFIX = 20;
const OFF_KEY_ID = 27;
const OFF_WRAP_IV = 31;
const OFF_WRAPPED = 43;
const encoder = new TextEncoder();
const FEK_PREFIX_BYTES = encoder.encode(AAD_FEK_PREFIX);
const SEG_PREFIX_BYTES = encoder.encode(AAD_SEGMENT_PREFIX);
const FEK_ALGORITHM = { name: 'AES-GCM', length: 256 } as const;

/** The fields of a parsed (allow-listed, not yet verified) header. */
export interface FileHeaderFields {
  fileId: Uint8Array<ArrayBuffer>;
  noncePrefix: Uint8Array<ArrayBuffer>;
  fileKeyId: number;
}

/**
 * Everything needed to seal or open the segments of one file version. `fek` is non-extractable;
 * `aad` is `"offline-vault/seg/v1" ‖ dbId ‖ fileId ‖ SHA-256(header)`, shared by every segment.
 */
export interface FileStreamContext {
  fileId: Uint8Array<ArrayBuffer>;
  noncePrefix: Uint8Array<ArrayBuffer>;
  fek: CryptoKey;
  aad: Uint8Array<ArrayBuffer>;
}

/** The file keys of a vault: `primary` wraps new FEKs, `all` (keyId -> key) unwraps. */
export interface FileKeys {
  dbId: Uint8Array;
  primary?: RecordKey;
  all: ReadonlyMap<number, CryptoKey>;
}



function u32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
}

function checkDbId(dbId: Uint8Array): void {
  if (!(dbId instanceof Uint8Array) || dbId.length !== DB_ID_LENGTH) {
    throw new VaultError('invalid-key-set', 'dbId must be 16 bytes', { rule: 'db-id-length' });
  }
}

/** `WAAD = "offline-vault/fek/v1" ‖ dbId ‖ fileId ‖ u32(fileKeyId)`: what a FEK wrap is bound to. */
export function fekWrapAad(dbId: Uint8Array, fileId: Uint8Array, fileKeyId: number): Uint8Array<ArrayBuffer> {
  return concatBytes([FEK_PREFIX_BYTES, dbId, fileId, u32Bytes(fileKeyId)]);
}

async function segmentAad(dbId: Uint8Array, fileId: Uint8Array, header: Uint8Array<ArrayBuffer>, sealedHash?: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const hash = sealedHash ?? new Uint8Array(await crypto.subtle.digest('SHA-256', header));
  return concatBytes([SEG_PREFIX_BYTES, dbId, fileId, hash]);
}

/** Lowercase hex of a fileId (the form used in storage keys). */
export function fileIdHex(fileId: Uint8Array): string {
  let s = '';
  for (const b of fileId) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Allow-lists and splits a header without any crypto (no downgrade: fmt, suite, segment size and
 * the reserved byte are checked before a key is touched). Throws IntegrityError
 * 'unsupported-format' | 'truncated' | 'extra-data'.
 */
export function parseFileHeader(header: Uint8Array): FileHeaderFields {
  if (!(header instanceof Uint8Array) || header.length < 4) {
    throw new IntegrityError('truncated', 'File header is truncated', { rule: 'header-length' });
  }
  const [fmt, suite, log2, reserved] = header;
  if (fmt !== FILE_FORMAT || suite !== SUITE_STREAM_AES256_GCM || log2 !== LOG2_SEGMENT_SIZE || reserved !== 0) {
    throw new IntegrityError('unsupported-format', 'Unsupported file format, suite or segment size', { fmt, suite, log2SegSize: log2 });
  }
  if (header.length < FILE_HEADER_LENGTH) throw new IntegrityError('truncated', 'File header is truncated', { rule: 'header-length' });
  if (header.length > FILE_HEADER_LENGTH) throw new IntegrityError('extra-data', 'File header is too long', { rule: 'header-length' });
  return {
    fileId: header.slice(OFF_FILE_ID, OFF_PREFIX),
    noncePrefix: header.slice(OFF_PREFIX, OFF_KEY_ID),
    fileKeyId: readU32(header, OFF_KEY_ID),
  };
}

/**
 * Creates the header of a new file version under the primary file key. Checklist:
 * - the FEK is generated extractable only so that it can be wrapped; the returned context holds
 *   the non-extractable copy unwrapped from the header itself, so the stored header is known to
 *   unwrap before any segment is sealed;
 * - fileId, noncePrefix and the wrap IV come from crypto.getRandomValues, never from a caller.
 */
export async function createFileHeader(keys: FileKeys): Promise<{ header: Uint8Array<ArrayBuffer>; context: FileStreamContext }> {
  checkDbId(keys.dbId);
  const primary = keys.primary;
  if (primary === undefined) throw new KeyLostError('key-lost', 'The vault has no file key', { missing: 'file' });
  const header = new Uint8Array(FILE_HEADER_LENGTH);
  header.set([FILE_FORMAT, SUITE_STREAM_AES256_GCM, LOG2_SEGMENT_SIZE, 0]);
  crypto.getRandomValues(header.subarray(OFF_FILE_ID, OFF_KEY_ID)); // fileId ‖ noncePrefix
  new DataView(header.buffer).setUint32(OFF_KEY_ID, primary.keyId);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const fileId = header.slice(OFF_FILE_ID, OFF_PREFIX);
  try {
    const extractable = await crypto.subtle.generateKey(FEK_ALGORITHM, true, ['encrypt', 'decrypt']);
    const wrapped = await crypto.subtle.wrapKey('raw', extractable, primary.key, {
      name: 'AES-GCM',
      iv,
      additionalData: fekWrapAad(keys.dbId, fileId, primary.keyId),
      tagLength: 128,
    });
    header.set(iv, OFF_WRAP_IV);
    header.set(new Uint8Array(wrapped), OFF_WRAPPED);
  } catch (error) {
    throw new VaultError('encrypt-failed', 'Creating a file key failed', {}, { cause: error });
  }
  const context = await openFileHeader(keys, header, ['encrypt', 'decrypt']);
  return { header, context };
}

/**
 * Verifies a header and unwraps its FEK as a non-extractable key (read rule 1). Throws
 * IntegrityError 'unsupported-format' | 'truncated' | 'key-not-found' | 'integrity-check-failed',
 * or KeyLostError when the vault has no file key at all. `sealedHeaderHash` is H of the header the
 * segments were sealed under, when the FEK was re-wrapped since (key rotation): the segment AAD
 * keeps that H, while the FEK comes from the current header.
 */
export async function openFileHeader(
  keys: FileKeys,
  header: Uint8Array,
  usages: readonly KeyUsage[] = ['decrypt'],
  sealedHeaderHash?: Uint8Array,
): Promise<FileStreamContext> {
  checkDbId(keys.dbId);
  if (sealedHeaderHash !== undefined && (!(sealedHeaderHash instanceof Uint8Array) || sealedHeaderHash.length !== 32)) {
    throw new IntegrityError('integrity-check-failed', 'Stored header hash is malformed', { rule: 'header-hash' });
  }
  const fields = parseFileHeader(header);
  if (keys.all.size === 0) throw new KeyLostError('key-lost', 'The vault has encrypted files but no file key', { missing: 'file' });
  const fileKey = keys.all.get(fields.fileKeyId);
  if (fileKey === undefined) {
    throw new IntegrityError('key-not-found', 'No file key for the header fileKeyId', { fileKeyId: fields.fileKeyId });
  }
  const bytes = header.slice(); // own copy: the hash must cover exactly the bytes that were checked
  let fek: CryptoKey;
  try {
    fek = await crypto.subtle.unwrapKey(
      'raw',
      bytes.subarray(OFF_WRAPPED),
      fileKey,
      { name: 'AES-GCM', iv: bytes.subarray(OFF_WRAP_IV, OFF_WRAPPED), additionalData: fekWrapAad(keys.dbId, fields.fileId, fields.fileKeyId), tagLength: 128 },
      FEK_ALGORITHM,
      false,
      [...usages],
    );
  } catch {
    throw new IntegrityError('integrity-check-failed', 'File header failed its integrity check', { fileKeyId: fields.fileKeyId });
  }
  return { fileId: fields.fileId, noncePrefix: fields.noncePrefix, fek, aad: await segmentAad(keys.dbId, fields.fileId, bytes, sealedHeaderHash?.slice()) };
}
