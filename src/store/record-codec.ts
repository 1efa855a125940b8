import type { EntityDef } from '../app/index.js';
import { IntegrityError } from '../core/errors.js';
import {
  BlindIndexCache,
  blindIndex,
  decodePayload,
  encodePayload,
  openRecord,
  sealRecord,
  type KeySet,
} from '../crypto/index.js';
import { indexField } from './vault-database.js';

/** Member values of one object, without its id, in stored (normalized) form. */
export type Members = Record<string, unknown>;

/** A row as IndexedDB holds it: `{ id, ... }` with either an envelope or plaintext members. */
export type StoredRow = { id: string } & Record<string, unknown>;

/** An outbox row: ordered by the auto-incremented `seq`, bound to its random `uid`. */
export type OutboxRow = { seq?: number; uid: string } & Record<string, unknown>;

/**
 * Turns objects into rows and back. One implementation seals everything (envelope + blind
 * indexes), the other stores plaintext; both expose the same index keys and write fingerprints so
 * the tables and the write pipeline do not care which one is in use.
 */
export interface RecordCodec {
  readonly encrypted: boolean;
  encodeRows(entity: EntityDef, objects: readonly { id: string; members: Members }[]): Promise<StoredRow[]>;
  decodeRows(entity: EntityDef, rows: readonly (StoredRow | undefined)[]): Promise<(Members | undefined)[]>;
  /**
   * Every key the index field of `attribute` may hold for a normalized value: one, or more while
   * rows are re-encrypted (older blind-index generations, plaintext rows of a migration).
   */
  indexKeys(entity: EntityDef, attribute: string, value: unknown): Promise<(string | Uint8Array)[]>;
  /** Changes whenever a row is rewritten; compared to detect concurrent writers. */
  fingerprint(row: StoredRow | undefined): string;
  encodeOutbox(uid: string, entry: unknown): Promise<OutboxRow>;
  /** Reserves the key budget of `count` seals before a write transaction opens (encrypted vaults). */
  reserveSeals?(count: number): Promise<void> | undefined;
  decodeOutbox(row: OutboxRow): Promise<unknown>;
}

export const OUTBOX_CONTEXT_STORE = '_outbox';

/** Canonical text of a normalized member value, the input of index keys. */
export function indexText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function hex(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

/** Plaintext rows `{ id, w, d, x_<Attr> }`: `w` counts writes, `d` holds the members. */
export function createPlainCodec(): RecordCodec {
  return {
    encrypted: false,
    async encodeRows(entity, objects) {
      return objects.map(({ id, members }) => {
        // A random write stamp: compared by the write pipeline to detect a concurrent writer.
        const row: StoredRow = { id, w: Math.floor(Math.random() * 2 ** 52) + 1, d: members };
        for (const index of entity.indexes) row[indexField(index.attribute)] = indexText(members[index.attribute]);
        return row;
      });
    },
    async decodeRows(_entity, rows) {
      return rows.map((row) => (row === undefined ? undefined : ({ ...(row['d'] as Members) })));
    },
    async indexKeys(_entity, _attribute, value) {
      return [indexText(value)];
    },
    fingerprint(row) {
      return row === undefined ? '' : String(row['w'] ?? 0);
    },
    async encodeOutbox(uid, entry) {
      return { uid, d: entry };
    },
    async decodeOutbox(row) {
      return row['d'];
    },
  };
}

/**
 * Encrypted rows `{ id, sv, e, x_<Attr> }`: `e` is the record envelope (AAD = database id, store,
 * schema version, primary key), `x_<Attr>` a truncated-HMAC blind index. Invariants:
 * - all crypto runs before or after a transaction, never inside one (the caller's job);
 * - the schema version read back is the stored `sv`, so a changed `sv` fails the AAD check;
 * - blind-index values are cached per (index, value); the cache holds nothing the app did not
 *   already hold in memory.
 */
export function createEncryptedCodec(keys: KeySet, schemaVersion: number): RecordCodec {
  const cache = new BlindIndexCache(10_000);
  const older = new BlindIndexCache(1_000);

  async function indexKey(entity: EntityDef, attribute: string, value: unknown): Promise<Uint8Array> {
    const name = `${entity.name}/${attribute}`;
    const text = indexText(value);
    const hit = cache.get(name, text);
    if (hit !== undefined) return hit;
    const key = keys.index.get(name);
    const def = entity.indexes.find((i) => i.attribute === attribute);
    if (key === undefined || def === undefined) {
      throw new IntegrityError('key-not-found', `No blind-index key for ${name}`, { entity: entity.name, attribute });
    }
    const bytes = await blindIndex(key, def.bits, text);
    cache.set(name, text, bytes);
    return bytes;
  }

  return {
    encrypted: true,
    async encodeRows(entity, objects) {
      return Promise.all(
        objects.map(async ({ id, members }) => {
          // The envelope and every blind index are computed concurrently: one crypto round trip.
          const [e, ...blind] = await Promise.all([
            sealRecord(keys, { store: entity.name, schemaVersion, primaryKey: id }, encodePayload(members)),
            ...entity.indexes.map((index) => indexKey(entity, index.attribute, members[index.attribute])),
          ]);
          const row: StoredRow = { id, sv: schemaVersion, e };
          entity.indexes.forEach((index, i) => (row[indexField(index.attribute)] = blind[i]));
          return row;
        }),
      );
    },
    async decodeRows(entity, rows) {
      return Promise.all(
        rows.map(async (row) => {
          if (row === undefined) return undefined;
          const { e, sv } = row;
          if (!(e instanceof Uint8Array) || typeof sv !== 'number') {
            throw new IntegrityError('not-an-envelope', `A stored ${entity.name} record is not an envelope`, { entity: entity.name });
          }
          if (!Number.isInteger(sv) || sv < 1 || sv > schemaVersion) {
            throw new IntegrityError('schema-version', `A stored ${entity.name} record has an unsupported schema version`, { entity: entity.name });
          }
          const plain = await openRecord(keys, { store: entity.name, schemaVersion: sv, primaryKey: row.id }, e);
          return decodePayload(plain) as Members;
        }),
      );
    },
    async indexKeys(entity, attribute, value) {
      const current = await indexKey(entity, attribute, value);
      const name = `${entity.name}/${attribute}`;
      const previous = keys.olderIndex?.get(name) ?? [];
      if (previous.length === 0) return [current];
      const bits = entity.indexes.find((i) => i.attribute === attribute)!.bits;
      const text = indexText(value);
      const extra = await Promise.all(
        previous.map(async (key, i) => {
          const hit = older.get(`${name}#${i}`, text);
          if (hit !== undefined) return hit;
          const bytes = await blindIndex(key, bits, text);
          older.set(`${name}#${i}`, text, bytes);
          return bytes;
        }),
      );
      return [current, ...extra];
    },
    fingerprint(row) {
      const e = row?.['e'];
      // Bytes 6..18 are the random IV: a new one on every write.
      return e instanceof Uint8Array ? hex(e, 6, 18) : '';
    },
    async encodeOutbox(uid, entry) {
      const e = await sealRecord(keys, { store: OUTBOX_CONTEXT_STORE, schemaVersion, primaryKey: uid }, encodePayload(entry));
      return { uid, sv: schemaVersion, e };
    },
    async decodeOutbox(row) {
      const { e, sv } = row;
      if (!(e instanceof Uint8Array) || typeof sv !== 'number') {
        throw new IntegrityError('not-an-envelope', 'A stored outbox entry is not an envelope', { store: OUTBOX_CONTEXT_STORE });
      }
      return decodePayload(await openRecord(keys, { store: OUTBOX_CONTEXT_STORE, schemaVersion: sv, primaryKey: row.uid }, e));
    },
  };
}
