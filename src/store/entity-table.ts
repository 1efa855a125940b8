import type Dexie from 'dexie';
import { liveQuery } from 'dexie';
import { normalizeAttribute, type EntityDef, type VaultObject } from '../app/index.js';
import { isVaultError, ValidationError } from '../core/errors.js';
import { mapStorageError } from './map-storage-error.js';
import { prepareDeletes, preparePuts, prepareUpdate, toVaultObject } from './prepare-writes.js';
import { indexText, type RecordCodec, type StoredRow } from './record-codec.js';
import { indexField } from './vault-database.js';
import type { VaultObservable, VaultQuery, VaultTable, WhereClause } from './vault-table.js';
import { applyWrites } from './write-pipeline.js';
import type { WriteGuard } from './write-guard.js';

/** Everything a persistent table needs from its vault. */
export interface EntityTableContext {
  db: Dexie;
  codec: RecordCodec;
  entity: EntityDef;
  /** Throws when the vault is closed. */
  ensureOpen(): void;
  /** Fail-fast access check of local writes. */
  guard?: WriteGuard;
  /** Reloads the vault's keys after a write was refused as sealed under retired keys. */
  refreshKeys?(): Promise<void>;
}

/** Attempts of one write when the keys change under it (a rotation ending meanwhile). */
const STALE_KEY_ATTEMPTS = 3;

async function decodeAll(ctx: EntityTableContext, rows: readonly (StoredRow | undefined)[]): Promise<(VaultObject | undefined)[]> {
  const members = await ctx.codec.decodeRows(ctx.entity, rows);
  return members.map((m, i) => (m === undefined ? undefined : toVaultObject(ctx.entity, rows[i]!.id, m)));
}

async function read<T>(ctx: EntityTableContext, run: () => Promise<T>): Promise<T> {
  ctx.ensureOpen();
  try {
    return await run();
  } catch (error) {
    throw mapStorageError(error, { entity: ctx.entity.name, operation: 'read' });
  }
}

function createWhere(ctx: EntityTableContext, attribute: string): WhereClause {
  const { entity } = ctx;
  const attr = entity.attributes.get(attribute);
  if (attr === undefined || !entity.indexes.some((i) => i.attribute === attribute)) {
    throw new ValidationError('not-indexed', `${entity.name}.${attribute} is not a declared index`, { entity: entity.name, member: attribute });
  }
  const query = (values: readonly unknown[]): VaultQuery => {
    const wanted = new Set(values.map((v) => indexText(normalizeAttribute(attr, v, { entity: entity.name, member: attribute }))));
    const run = async (): Promise<VaultObject[]> => {
      // Every form a value may be stored under (older key generations, plaintext mid-migration).
      const keys = (await Promise.all([...wanted].map((text) => ctx.codec.indexKeys(entity, attribute, JSON.parse(text))))).flat();
      // One key: `equals` reads with getAll; anyOf would walk a cursor row by row.
      const index = ctx.db.table(entity.name).where(indexField(attribute));
      const rows = await read(ctx, async () =>
        (keys.length === 1 ? await index.equals(keys[0]!).toArray() : (await Promise.all(keys.map((k) => index.equals(k).toArray()))).flat()) as StoredRow[],
      );
      const objects = (await decodeAll(ctx, rows)) as VaultObject[];
      // Blind indexes are truncated HMACs: drop the expected false positives.
      const seen = new Set<string>();
      return objects.filter((o) => !seen.has(o.id) && seen.add(o.id) && wanted.has(indexText(o[attribute])));
    };
    return {
      toArray: run,
      count: async () => (await run()).length,
      first: async () => (await run())[0],
    };
  };
  return { equals: (value) => query([value]), anyOf: (values) => query(values) };
}

/** A table of a persistent entity backed by IndexedDB (encrypted or not, per the codec). */
export function createEntityTable(ctx: EntityTableContext): VaultTable {
  const { db, codec, entity } = ctx;
  const table = () => db.table(entity.name);
  const write = async (ops: Parameters<typeof applyWrites>[3]) => {
    ctx.ensureOpen();
    for (let attempt = 1; ; attempt++) {
      try {
        return await applyWrites(db, codec, entity, ops, ctx.guard);
      } catch (error) {
        // Sealed under keys a re-encryption retired meanwhile: nothing was written; seal again.
        if (!isVaultError(error) || error.code !== 'stale-keys' || attempt >= STALE_KEY_ATTEMPTS || ctx.refreshKeys === undefined) throw error;
        await ctx.refreshKeys();
      }
    }
  };
  const self: VaultTable = {
    entity: entity.name,
    async get(id) {
      return (await self.bulkGet([id]))[0];
    },
    async bulkGet(ids) {
      const rows = await read(ctx, async () => (await table().bulkGet([...ids])) as (StoredRow | undefined)[]);
      return decodeAll(ctx, rows);
    },
    async put(object) {
      return (await self.bulkPut([object]))[0]!;
    },
    async bulkPut(objects) {
      ctx.ensureOpen();
      const ops = preparePuts(entity, objects);
      await write(ops);
      return ops.map((op) => op.id);
    },
    async update(id, changes) {
      ctx.ensureOpen();
      const [existed] = await write([prepareUpdate(entity, id, changes)]);
      return existed === true;
    },
    async delete(id) {
      await self.bulkDelete([id]);
    },
    async bulkDelete(ids) {
      ctx.ensureOpen();
      await write(prepareDeletes(entity, ids));
    },
    count: () => read(ctx, () => table().count()),
    async toArray() {
      const rows = await read(ctx, async () => (await table().toArray()) as StoredRow[]);
      return (await decodeAll(ctx, rows)) as VaultObject[];
    },
    where: (attribute) => createWhere(ctx, attribute),
  };
  return self;
}

/**
 * Live results of `read`, re-run when the entity's store changes (in this tab or another).
 * The querier reads from Dexie first and decrypts afterwards, so Dexie observes the read range.
 */
export function liveEntity<T>(read: () => Promise<T>): VaultObservable<T> {
  return liveQuery(read) as unknown as VaultObservable<T>;
}
