import { ValidationError } from '../core/errors.js';

/** An AES-256-GCM key with its generation number (u32, stored in envelope headers). */
export interface RecordKey {
  keyId: number;
  key: CryptoKey;
}

/** The data keys of one database (crypto.md §3.2). Every CryptoKey is non-extractable. */
export interface KeySet {
  /** 16 random bytes identifying this database in every AAD. */
  dbId: Uint8Array;
  /** Record keys: `primary` encrypts, `all` (keyId -> key) decrypts, including older generations. */
  record: { primary: RecordKey; all: ReadonlyMap<number, CryptoKey> };
  /** Blind-index HMAC-SHA-256 keys (usage sign), by index name, e.g. 'Sales.Order/Status'. */
  index: ReadonlyMap<string, CryptoKey>;
  /** Index keys of older generations, still tried by lookups until re-encryption moves every row. */
  olderIndex?: ReadonlyMap<string, readonly CryptoKey[]>;
  /** AES-256-GCM key with usages wrapKey/unwrapKey, wrapping per-file keys. */
  file: RecordKey;
}

export const DB_ID_LENGTH = 16;

function checkKeyId(keyId: number): void {
  if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffff_ffff) {
    throw new ValidationError('invalid-key-id', 'keyId must be a u32', { rule: 'u32' });
  }
}

/** New non-extractable AES-256-GCM record key (usages encrypt, decrypt). */
export async function createRecordKey(keyId: number): Promise<RecordKey> {
  checkKeyId(keyId);
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  return { keyId, key };
}

/** New non-extractable HMAC-SHA-256 blind-index key (usage sign, 256-bit). */
export async function createIndexKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
}

/** New non-extractable AES-256-GCM file key (usages wrapKey, unwrapKey). */
export async function createFileKey(keyId: number): Promise<RecordKey> {
  checkKeyId(keyId);
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
  return { keyId, key };
}

/** 16 random bytes from crypto.getRandomValues. */
export function createDbId(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(DB_ID_LENGTH));
}

/**
 * A fresh key set (first open at protection level "device"): new dbId, record and file keys with
 * keyId 1, one index key per name.
 */
export async function createKeySet(indexNames: Iterable<string> = []): Promise<KeySet> {
  const names = [...new Set(indexNames)];
  const [primary, file, indexKeys] = await Promise.all([
    createRecordKey(1),
    createFileKey(1),
    Promise.all(names.map(() => createIndexKey())),
  ]);
  const index = new Map<string, CryptoKey>();
  names.forEach((name, i) => index.set(name, indexKeys[i]!));
  return {
    dbId: createDbId(),
    record: { primary, all: new Map([[primary.keyId, primary.key]]) },
    index,
    file,
  };
}
