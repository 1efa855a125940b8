import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { StorageError } from '../core/errors.js';
import type { BlobCodec, BlobRow } from './blob-codec.js';
import { mapStorageError } from './map-storage-error.js';
import type { OutboxEntry } from './outbox.js';
import type { Members, OutboxRow, RecordCodec, StoredRow } from './record-codec.js';
import type { Mutation, MutationContext, OutboxSnapshotRow, SyncErrorEntry, SyncStore, VersionEntry } from './sync-store-types.js';
import { META_STORE, OUTBOX_STORE, SYNC_ERRORS_STORE, SYNC_STATE_STORE, VERSIONS_STORE } from './vault-database.js';

const MAX_ATTEMPTS = 25;
const USER_KEY = 'user';

/** Thrown inside a mutation's transaction when its view went stale. */
class StaleView extends Error {}

interface VersionRow {
  k: string;
  e: string;
  v: string;
  t?: string;
}

function versionKey(entity: string, id: string): string {
  return `${entity}\u0000${id}`;
}

/** Creates the sync engine's view of a vault database. */
export function createSyncStore(deps: { name: string; db: Dexie; codec: RecordCodec; blobs: BlobCodec; app: AppDefinition }): SyncStore {
  const { db, codec, blobs, app } = deps;

  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapStorageError(error, { vault: deps.name, operation });
    }
  }

  async function readOutbox(): Promise<OutboxSnapshotRow[]> {
    const rows = (await guarded('read-outbox', () => db.table(OUTBOX_STORE).toArray())) as OutboxRow[];
    return Promise.all(rows.map(async (row) => ({ seq: row.seq!, uid: row.uid, entry: (await codec.decodeOutbox(row)) as OutboxEntry })));
  }

  async function readRows(entity: string, ids: readonly string[]): Promise<(StoredRow | undefined)[]> {
    return (await guarded('read', () => db.table(entity).bulkGet([...ids]))) as (StoredRow | undefined)[];
  }

  async function decode(entity: string, rows: readonly (StoredRow | undefined)[]): Promise<(Members | undefined)[]> {
    return codec.decodeRows(app.entity(entity), rows);
  }

  /** Seals everything of a mutation outside any transaction (crypto never runs inside one). */
  async function encode(m: Mutation) {
    const byEntity = new Map<string, { id: string; members: Members }[]>();
    for (const p of m.put ?? []) {
      let list = byEntity.get(p.entity);
      if (list === undefined) byEntity.set(p.entity, (list = []));
      list.push({ id: p.id, members: p.members });
    }
    const puts = await Promise.all([...byEntity].map(async ([entity, list]) => ({ entity, rows: await codec.encodeRows(app.entity(entity), list) })));
    const state = await Promise.all(
      (m.state ?? []).map(async (s) => (s.value === undefined ? { key: s.key } : { key: s.key, row: await blobs.seal(SYNC_STATE_STORE, s.key, s.value) })),
    );
    const errors = await Promise.all((m.errors ?? []).map((e) => blobs.seal(SYNC_ERRORS_STORE, e.id, e)));
    const rewrites = await Promise.all(
      (m.outboxRewrite ?? []).map(async (r) => ({ ...(await codec.encodeOutbox(r.uid, r.entry)), seq: r.seq }) as OutboxRow),
    );
    return { puts, state, errors, rewrites };
  }

  async function mutate<R>(plan: (ctx: MutationContext) => Promise<{ mutation: Mutation; result: R }>): Promise<R> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outbox = await readOutbox();
      const maxSeq = outbox.reduce((max, r) => Math.max(max, r.seq), 0);
      const seen = new Map<string, Map<string, string>>(); // entity -> id -> fingerprint
      const ctx: MutationContext = {
        outbox,
        async load(entity, ids) {
          const rows = await readRows(entity, ids);
          let fps = seen.get(entity);
          if (fps === undefined) seen.set(entity, (fps = new Map()));
          rows.forEach((row, i) => fps.set(ids[i]!, codec.fingerprint(row)));
          return decode(entity, rows);
        },
      };
      const { mutation, result } = await plan(ctx);
      const sealed = await encode(mutation);
      const entities = new Set<string>([...seen.keys(), ...(mutation.put ?? []).map((p) => p.entity), ...(mutation.delete ?? []).map((d) => d.entity)]);
      const stores = [...entities, OUTBOX_STORE, VERSIONS_STORE, SYNC_STATE_STORE, SYNC_ERRORS_STORE];
      try {
        await db.transaction('rw', stores, async () => {
          // The view is current only if no app write appended to the outbox or touched a loaded row.
          const appended = await db.table(OUTBOX_STORE).where(':id').above(maxSeq).primaryKeys();
          if (appended.length > 0) throw new StaleView();
          for (const [entity, fps] of seen) {
            const ids = [...fps.keys()];
            const rows = (await db.table(entity).bulkGet(ids)) as (StoredRow | undefined)[];
            if (rows.some((row, i) => codec.fingerprint(row) !== fps.get(ids[i]!))) throw new StaleView();
          }
          for (const { entity, rows } of sealed.puts) await db.table(entity).bulkPut(rows);
          for (const d of mutation.delete ?? []) await db.table(d.entity).delete(d.id);
          const versions = db.table(VERSIONS_STORE);
          if ((mutation.unversion ?? []).length > 0) await versions.bulkDelete(mutation.unversion!.map((u) => versionKey(u.entity, u.id)));
          if ((mutation.versions ?? []).length > 0) {
            await versions.bulkPut(
              mutation.versions!.map((v): VersionRow => ({ k: versionKey(v.entity, v.id), e: v.entity, v: v.version, ...(v.tag === undefined ? {} : { t: v.tag }) })),
            );
          }
          for (const s of sealed.state) {
            if (s.row === undefined) await db.table(SYNC_STATE_STORE).delete(s.key);
            else await db.table(SYNC_STATE_STORE).put(s.row);
          }
          if (sealed.errors.length > 0) await db.table(SYNC_ERRORS_STORE).bulkPut(sealed.errors);
          if ((mutation.outboxDelete ?? []).length > 0) await db.table(OUTBOX_STORE).bulkDelete(mutation.outboxDelete!);
          if (sealed.rewrites.length > 0) await db.table(OUTBOX_STORE).bulkPut(sealed.rewrites);
        });
        return result;
      } catch (error) {
        if (error instanceof StaleView || (error as { inner?: unknown } | null)?.inner instanceof StaleView) continue;
        throw mapStorageError(error, { vault: deps.name, operation: 'sync-write' });
      }
    }
    throw new StorageError('write-conflict', `Sync gave up after ${MAX_ATTEMPTS} concurrent-write retries`, { vault: deps.name });
  }

  return {
    vaultName: deps.name,
    readOutbox,
    async getObjects(entity, ids) {
      return decode(entity, await readRows(entity, ids));
    },
    async objectIds(entity) {
      return (await guarded('read', () => db.table(entity).toCollection().primaryKeys())) as string[];
    },
    async existingIds(entity, ids) {
      if (ids.length === 0) return new Set();
      return new Set((await guarded('read', () => db.table(entity).where(':id').anyOf([...ids]).primaryKeys())) as string[]);
    },
    async versions(entity) {
      const rows = (await guarded('read', () => db.table(VERSIONS_STORE).where('e').equals(entity).toArray())) as VersionRow[];
      return rows.map((r) => ({ entity: r.e, id: r.k.slice(r.e.length + 1), version: r.v, ...(r.t === undefined ? {} : { tag: r.t }) }));
    },
    async versionedIds(entity) {
      const keys = (await guarded('read', () => db.table(VERSIONS_STORE).where('e').equals(entity).primaryKeys())) as string[];
      return keys.map((k) => k.slice(entity.length + 1));
    },
    async getState<T>(key: string) {
      const row = (await guarded('read', () => db.table(SYNC_STATE_STORE).get(key))) as BlobRow | undefined;
      return row === undefined ? undefined : ((await blobs.open(SYNC_STATE_STORE, row)) as T);
    },
    mutate,
    async listSyncErrors() {
      const rows = (await guarded('read', () => db.table(SYNC_ERRORS_STORE).toArray())) as BlobRow[];
      const all = (await Promise.all(rows.map((row) => blobs.open(SYNC_ERRORS_STORE, row)))) as SyncErrorEntry[];
      return all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    },
    async deleteSyncError(id) {
      return guarded('write', () =>
        db.transaction('rw', SYNC_ERRORS_STORE, async () => {
          const found = (await db.table(SYNC_ERRORS_STORE).get(id)) !== undefined;
          if (found) await db.table(SYNC_ERRORS_STORE).delete(id);
          return found;
        }),
      );
    },
    async getUser() {
      const row = (await guarded('read', () => db.table(META_STORE).get(USER_KEY))) as (BlobRow & { name: string }) | undefined;
      return row === undefined ? null : ((await blobs.open(META_STORE, row)) as { id: string; roles: string[] });
    },
    async setUser(user) {
      const row = await blobs.seal(META_STORE, USER_KEY, { id: user.id, roles: [...user.roles] });
      await guarded('write', () => db.table(META_STORE).put({ ...row, name: USER_KEY }));
    },
  };
}
