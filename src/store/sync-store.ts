import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { StorageError } from '../core/errors.js';
import { digestBucketOf, MAX_DIGEST_BUCKETS } from '../core/visible-set-digest.js';
import type { BlobCodec, BlobRow } from './blob-codec.js';
import { mapStorageError } from './map-storage-error.js';
import { decodeDigest, digestStateKey, emptyFineDigest, encodeDigest, fineDigestOf, foldDigest, toggleItem, type FineDigest } from './sync-store-digest.js';
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

/** Whether two raw `_syncState` rows are the same write (sealed bytes, or the plain value). */
function sameStateRow(a: BlobRow | undefined, b: BlobRow | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const [x, y] = [a['e'], b['e']];
  if (x instanceof Uint8Array && y instanceof Uint8Array) return x.length === y.length && x.every((byte, i) => byte === y[i]);
  return JSON.stringify(a['d']) === JSON.stringify(b['d']);
}

/** Digest rows a mutation rewrites, with what it read to plan them (re-checked in the transaction). */
interface DigestPlan {
  /** Each touched entity's digest row as read (undefined: absent), and the sealed new row. */
  rows: { key: string; before: BlobRow | undefined; row: BlobRow }[];
  /** Version keys the mutation touches, with the version each had when planned. */
  keys: string[];
  old: (string | undefined)[];
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

  async function readStateRow(key: string): Promise<BlobRow | undefined> {
    return (await db.table(SYNC_STATE_STORE).get(key)) as BlobRow | undefined;
  }

  /** The stored fine digest of an entity with its raw row; digest null when absent or unreadable. */
  async function storedDigest(entity: string): Promise<{ row: BlobRow | undefined; digest: FineDigest | null }> {
    const row = await readStateRow(digestStateKey(entity));
    return { row, digest: row === undefined ? null : decodeDigest(await blobs.open(SYNC_STATE_STORE, row)) };
  }

  /**
   * Plans the digest rows of a mutation's version changes (outside the transaction: unsealing and
   * sealing are crypto). An entity without a stored digest starts from empty only when it has no
   * versions yet; otherwise (a vault from before the digest) it stays absent until `localDigest`
   * recomputes it in full.
   */
  async function planDigests(m: Mutation): Promise<DigestPlan | null> {
    const touched = [...(m.unversion ?? []), ...(m.versions ?? [])];
    if (touched.length === 0) return null;
    const keys = [...new Set(touched.map((t) => versionKey(t.entity, t.id)))];
    const old = ((await db.table(VERSIONS_STORE).bulkGet(keys)) as (VersionRow | undefined)[]).map((r) => r?.v);
    const now = new Map(keys.map((k, i) => [k, old[i]]));
    for (const u of m.unversion ?? []) now.set(versionKey(u.entity, u.id), undefined);
    for (const v of m.versions ?? []) now.set(versionKey(v.entity, v.id), v.version);
    const digests = new Map<string, { before: BlobRow | undefined; digest: FineDigest | null }>();
    for (const entity of new Set(touched.map((t) => t.entity))) {
      const found = await storedDigest(entity);
      if (found.row === undefined) {
        const any = await db.table(VERSIONS_STORE).where('e').equals(entity).limit(1).primaryKeys();
        if (any.length === 0) found.digest = emptyFineDigest();
      }
      digests.set(entity, { before: found.row, digest: found.digest });
    }
    const byKey = new Map(touched.map((t) => [versionKey(t.entity, t.id), t]));
    keys.forEach((k, i) => {
      const { entity, id } = byKey.get(k)!;
      const d = digests.get(entity)!.digest;
      if (d === null) return;
      if (old[i] !== undefined) toggleItem(d, id, old[i]!);
      if (now.get(k) !== undefined) toggleItem(d, id, now.get(k)!);
    });
    const rows: DigestPlan['rows'] = [];
    for (const [entity, { before, digest }] of digests) {
      if (digest === null) continue;
      const key = digestStateKey(entity);
      rows.push({ key, before, row: await blobs.seal(SYNC_STATE_STORE, key, encodeDigest(digest)) });
    }
    return { rows, keys, old };
  }

  /** Inside the transaction: throws StaleView when a digest row or a touched version moved since planning. */
  async function checkDigestPlan(plan: DigestPlan): Promise<void> {
    for (const r of plan.rows) if (!sameStateRow((await db.table(SYNC_STATE_STORE).get(r.key)) as BlobRow | undefined, r.before)) throw new StaleView();
    const now = (await db.table(VERSIONS_STORE).bulkGet(plan.keys)) as (VersionRow | undefined)[];
    if (now.some((r, i) => r?.v !== plan.old[i])) throw new StaleView();
  }

  /**
   * Replaces an entity's stored digest with `digest` when its row is still `before`. Used by the
   * full recompute and by bucket repairs, which run inside a sync (the sync lock keeps other
   * version writers out; a digest-maintaining mutation in between makes this give up).
   */
  async function storeDigest(entity: string, before: BlobRow | undefined, digest: FineDigest): Promise<void> {
    const key = digestStateKey(entity);
    const row = await blobs.seal(SYNC_STATE_STORE, key, encodeDigest(digest));
    await guarded('sync-write', () =>
      db.transaction('rw', SYNC_STATE_STORE, async () => {
        if (sameStateRow((await db.table(SYNC_STATE_STORE).get(key)) as BlobRow | undefined, before)) await db.table(SYNC_STATE_STORE).put(row);
      }),
    );
  }

  async function readVersionRows(entity: string): Promise<VersionRow[]> {
    return (await guarded('read', () => db.table(VERSIONS_STORE).where('e').equals(entity).toArray())) as VersionRow[];
  }

  function toEntry(r: VersionRow): VersionEntry {
    return { entity: r.e, id: r.k.slice(r.e.length + 1), version: r.v, ...(r.t === undefined ? {} : { tag: r.t }) };
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
      const digests = await guarded('read', () => planDigests(mutation));
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
          if (digests !== null) await checkDigestPlan(digests);
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
          for (const r of digests?.rows ?? []) await db.table(SYNC_STATE_STORE).put(r.row);
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
      return (await readVersionRows(entity)).map(toEntry);
    },
    async localDigest(entity, bucketCount) {
      const { row, digest } = await guarded('read', () => storedDigest(entity));
      if (digest !== null) return foldDigest(digest, bucketCount);
      // No stored digest (a vault from before it, or an unreadable row): recompute once, keep it.
      const full = fineDigestOf((await readVersionRows(entity)).map((r) => [r.k.slice(entity.length + 1), r.v] as const));
      await storeDigest(entity, row, full);
      return foldDigest(full, bucketCount);
    },
    async versionsInBuckets(entity, bucketCount, buckets) {
      const wanted = new Set(buckets);
      const mask = bucketCount - 1;
      const all = (await guarded('read', () => db.table(VERSIONS_STORE).where('e').equals(entity).primaryKeys())) as string[];
      const keys = all.filter((k) => wanted.has(digestBucketOf(k.slice(entity.length + 1), bucketCount)));
      const rows = ((await guarded('read', () => db.table(VERSIONS_STORE).bulkGet(keys))) as (VersionRow | undefined)[]).filter(
        (r): r is VersionRow => r !== undefined,
      );
      // Self-repair: the stored buckets must equal these items (a drift would otherwise repeat every sync).
      const { row, digest } = await guarded('read', () => storedDigest(entity));
      if (digest !== null) {
        const actual = fineDigestOf(rows.map((r) => [r.k.slice(entity.length + 1), r.v] as const));
        let drift = false;
        for (let i = 0; i < MAX_DIGEST_BUCKETS; i++) {
          if (!wanted.has(i & mask) || (digest.hi[i] === actual.hi[i] && digest.lo[i] === actual.lo[i])) continue;
          [digest.hi[i], digest.lo[i], drift] = [actual.hi[i]!, actual.lo[i]!, true];
        }
        if (drift) await storeDigest(entity, row, digest);
      }
      return rows.map(toEntry);
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
