import type { EntityDef } from '../app/index.js';
import { IntegrityError, isVaultError } from '../core/errors.js';
import type { KeySet } from '../crypto/index.js';
import { createBlobCodec, type BlobCodec, type BlobRow } from './blob-codec.js';
import { createEncryptedCodec, createPlainCodec, type RecordCodec, type StoredRow } from './record-codec.js';
import type { UsageBudget } from './usage-budget.js';
import type { VaultKeys } from './vault-keys.js';

const plainRecords = createPlainCodec();
const plainBlobs = createBlobCodec(undefined, 1);

function isSealed(row: Record<string, unknown> | undefined): boolean {
  return row !== undefined && row['e'] !== undefined;
}

function notAnEnvelope(store: string): IntegrityError {
  return new IntegrityError('not-an-envelope', `A stored ${store} row is not an envelope`, { store });
}

/**
 * Runs `open`; when it meets an envelope of a key generation this tab does not know (another tab
 * rotated and this one has not reloaded yet), reloads the keys once and tries again, instead of
 * reporting what looks like tampering.
 */
async function withNewerKeys<T>(keys: VaultKeys, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (!isVaultError(error) || error.code !== 'key-not-found') throw error;
    await keys.reload();
    return open();
  }
}

/**
 * Record codec that follows the vault's keys as they change (migration, rotation, lock):
 * - writes seal with the primary generation when the vault is encrypted, else store plaintext;
 * - reads open envelopes with whichever generation sealed them, and accept plaintext rows only in
 *   a plaintext vault or while a migration from plaintext runs (else IntegrityError: a plaintext
 *   row slipped into an encrypted vault is never trusted);
 * - every seal is counted against the key's usage budget before it happens.
 */
export function createVaultCodec(keys: VaultKeys, schemaVersion: number, budget: UsageBudget): RecordCodec {
  const byKeySet = new WeakMap<KeySet, RecordCodec>();
  const sealed = (): RecordCodec => {
    const set = keys.keySet();
    let codec = byKeySet.get(set);
    if (codec === undefined) byKeySet.set(set, (codec = createEncryptedCodec(set, schemaVersion)));
    return codec;
  };
  const plainAllowed = () => !keys.encrypted || keys.acceptsPlaintext;
  const decodeRows = async (entity: EntityDef, rows: readonly (StoredRow | undefined)[]) => {
    if (!keys.encrypted && !rows.some(isSealed)) return plainRecords.decodeRows(entity, rows);
    if (!plainAllowed() || rows.every((r) => r === undefined || isSealed(r))) return sealed().decodeRows(entity, rows);
    return Promise.all(
      rows.map(async (row) => (row === undefined || !isSealed(row) ? (await plainRecords.decodeRows(entity, [row]))[0] : (await sealed().decodeRows(entity, [row]))[0])),
    );
  };

  return {
    get encrypted() {
      return keys.encrypted;
    },
    async encodeRows(entity, objects) {
      if (!keys.encrypted) return plainRecords.encodeRows(entity, objects);
      const codec = sealed();
      await budget.consume(keys.keySet().record.primary.keyId, objects.length);
      return codec.encodeRows(entity, objects);
    },
    decodeRows(entity: EntityDef, rows) {
      return withNewerKeys(keys, () => decodeRows(entity, rows));
    },
    async indexKeys(entity, attribute, value) {
      if (!keys.encrypted) return plainRecords.indexKeys(entity, attribute, value);
      const found = await sealed().indexKeys(entity, attribute, value);
      return keys.acceptsPlaintext ? [...found, ...(await plainRecords.indexKeys(entity, attribute, value))] : found;
    },
    fingerprint(row: StoredRow | undefined) {
      // Either shape may be stored mid-migration; both fingerprints change on every write.
      return isSealed(row) ? `e${sealedFingerprint(row!)}` : plainRecords.fingerprint(row);
    },
    reserveSeals(count) {
      return keys.encrypted ? budget.reserve(keys.keySet().record.primary.keyId, count) : undefined;
    },
    async encodeOutbox(uid, entry) {
      if (!keys.encrypted) return plainRecords.encodeOutbox(uid, entry);
      const codec = sealed();
      await budget.consume(keys.keySet().record.primary.keyId, 1);
      return codec.encodeOutbox(uid, entry);
    },
    async decodeOutbox(row) {
      if (isSealed(row)) return withNewerKeys(keys, () => sealed().decodeOutbox(row));
      if (!plainAllowed()) throw notAnEnvelope('_outbox');
      return plainRecords.decodeOutbox(row);
    },
  };
}

function sealedFingerprint(row: StoredRow): string {
  const e = row['e'] as Uint8Array;
  let s = '';
  // Bytes 6..18 are the random IV: a new one on every write.
  for (let i = 6; i < 18 && i < e.length; i++) s += (e[i]! < 16 ? '0' : '') + e[i]!.toString(16);
  return s;
}

/** Blob codec (sync bookkeeping rows) following the vault's keys, with the same rules. */
export function createVaultBlobCodec(keys: VaultKeys, schemaVersion: number, budget: UsageBudget): BlobCodec {
  const byKeySet = new WeakMap<KeySet, BlobCodec>();
  const sealed = (): BlobCodec => {
    const set = keys.keySet();
    let codec = byKeySet.get(set);
    if (codec === undefined) byKeySet.set(set, (codec = createBlobCodec(set, schemaVersion)));
    return codec;
  };
  return {
    get encrypted() {
      return keys.encrypted;
    },
    async seal(store, key, value) {
      if (!keys.encrypted) return plainBlobs.seal(store, key, value);
      const codec = sealed();
      await budget.consume(keys.keySet().record.primary.keyId, 1);
      return codec.seal(store, key, value);
    },
    async open(store, row: BlobRow) {
      if (isSealed(row)) return withNewerKeys(keys, () => sealed().open(store, row));
      if (keys.encrypted && !keys.acceptsPlaintext) throw notAnEnvelope(store);
      return plainBlobs.open(store, row);
    },
  };
}
