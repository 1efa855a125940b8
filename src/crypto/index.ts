export { createRecordKey, createIndexKey, createFileKey, createDbId, createKeySet, DB_ID_LENGTH } from './key-set.js';
export type { RecordKey, KeySet } from './key-set.js';
export {
  sealRecord,
  openRecord,
  sealRecords,
  openRecords,
  isEnvelope,
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
