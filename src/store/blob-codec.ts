import { IntegrityError } from '../core/errors.js';
import { decodePayload, encodePayload, openRecord, sealRecord, type KeySet } from '../crypto/index.js';

/** A bookkeeping row as IndexedDB holds it: its key plus a sealed (or plain) value. */
export type BlobRow = { k: string } & Record<string, unknown>;

/**
 * Seals whole JSON values of the sync bookkeeping stores (`_syncErrors`, `_syncState`, the user
 * row): the same envelope as entity records, with the AAD bound to store, schema version and key,
 * so a row moved between stores or keys fails with IntegrityError. Plain vaults store `{ k, d }`.
 */
export interface BlobCodec {
  readonly encrypted: boolean;
  seal(store: string, key: string, value: unknown): Promise<BlobRow>;
  open(store: string, row: BlobRow): Promise<unknown>;
}

/** A codec for an encrypted vault (`keys` given) or a plain one. */
export function createBlobCodec(keys: KeySet | undefined, schemaVersion: number): BlobCodec {
  if (keys === undefined) {
    return {
      encrypted: false,
      async seal(_store, key, value) {
        return { k: key, d: value };
      },
      async open(_store, row) {
        return row['d'];
      },
    };
  }
  return {
    encrypted: true,
    async seal(store, key, value) {
      const e = await sealRecord(keys, { store, schemaVersion, primaryKey: key }, encodePayload(value));
      return { k: key, sv: schemaVersion, e };
    },
    async open(store, row) {
      const { e, sv } = row;
      if (!(e instanceof Uint8Array) || typeof sv !== 'number') {
        throw new IntegrityError('not-an-envelope', `A stored ${store} row is not an envelope`, { store });
      }
      return decodePayload(await openRecord(keys, { store, schemaVersion: sv, primaryKey: row.k }, e));
    },
  };
}
