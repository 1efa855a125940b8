export { createRecordKey, createIndexKey, createFileKey, createDbId, createKeySet, DB_ID_LENGTH } from './key-set.js';
export type { RecordKey, KeySet } from './key-set.js';
export {
  sealRecord,
  openRecord,
  sealRecords,
  openRecords,
  isEnvelope,
  envelopeKeyId,
  envelopeLength,
  ENVELOPE_FORMAT,
  SUITE_AES256_GCM,
  PAD_SCHEME_PADME,
  TAG_LENGTH_BITS,
  ENVELOPE_OVERHEAD,
  MIN_ENVELOPE_LENGTH,
  MAX_PAYLOAD_LENGTH,
} from './record-envelope.js';
export type { RecordContext, SealItem, OpenItem } from './record-envelope.js';
export { encodeRecordAad, encodeKey, keyTypeName, AAD_RECORD_PREFIX } from './encode-aad.js';
export { padmeLength, PADME_MAX_INPUT } from './padme.js';
export { blindIndex, blindIndexParts, BLIND_INDEX_PREFIX } from './blind-index.js';
export { BlindIndexCache } from './blind-index-cache.js';
export { encodePayload, decodePayload } from './payload-codec.js';
export { fillRandomIv, IV_LENGTH } from './iv-pool.js';
export {
  createFileHeader,
  openFileHeader,
  parseFileHeader,
  fileIdHex,
  FILE_FORMAT,
  SUITE_STREAM_AES256_GCM,
  LOG2_SEGMENT_SIZE,
  SEGMENT_SIZE,
  SEGMENT_TAG_LENGTH,
  FILE_HEADER_LENGTH,
  FILE_ID_LENGTH,
  NONCE_PREFIX_LENGTH,
  AAD_FEK_PREFIX,
  AAD_SEGMENT_PREFIX,
} from './file-header.js';
export type { FileHeaderFields, FileStreamContext, FileKeys } from './file-header.js';
export { sealSegment, openSegment, sealFileMeta, openFileMeta, MAX_SEGMENT_INDEX, AAD_FILE_META_PREFIX } from './file-stream.js';
export { concatBytes, readU32, writeU32 } from './bytes.js';
export { wrapDataKey, unwrapDataKey, wrappedSlotId, generateWrappableKey, WRAPPED_KEY_LENGTH, VMK_PURPOSE, AAD_KEYWRAP_PREFIX } from './key-wrap.js';
export type { WrappedKeyContext, DataKeyKind } from './key-wrap.js';
export { deriveKekFromPassphrase, deriveKekFromPrf, MIN_PBKDF2_ITERATIONS, KEK_SALT_LENGTH } from './derive-kek.js';
export type { Kek } from './derive-kek.js';
export { registerPasskey, evaluatePasskey, PRF_OUTPUT_LENGTH, PRF_SALT_LENGTH } from './passkey-prf.js';
export type { WebAuthnLike, PasskeyRegistration, PasskeySlotRef } from './passkey-prf.js';
