import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import { computeVisibleSetDigest, digestBucketOf } from '../../src/core/visible-set-digest.js';
import { createKeySet } from '../../src/crypto/index.js';
import { createBlobCodec } from '../../src/store/blob-codec.js';
import { createEncryptedCodec } from '../../src/store/record-codec.js';
import { digestStateKey } from '../../src/store/sync-store-digest.js';
import type { SyncStore } from '../../src/store/sync-store-types.js';
import { createSyncStore } from '../../src/store/sync-store.js';
import { createVaultDatabase, SYNC_STATE_STORE } from '../../src/store/vault-database.js';
import { applyPage } from '../../src/sync/apply-page.js';

const app = defineApp({
  roles: ['User'],
  entities: { 'T.A': { attributes: { N: 'integer' } }, 'T.B': { attributes: { N: 'integer' } } },
  accessRules: { 'T.A': [{ roles: ['User'], members: '*' }], 'T.B': [{ roles: ['User'], members: '*' }] },
});
const ENTITIES = ['T.A', 'T.B'] as const;
const IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'é-1', '00000000-0000-4000-8000-000000000001'];
const COUNTS = [1, 2, 64, 4096];

let vaults = 0;
async function openStore() {
  const name = `digest-${++vaults}`;
  const db = createVaultDatabase(name, app, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  const keys = await createKeySet();
  const store = createSyncStore({ name, db, app, codec: createEncryptedCodec(keys, app.version), blobs: createBlobCodec(keys, app.version) });
  return { db, store };
}

/** The digest recomputed from every stored version: what the incremental one must equal. */
async function fullDigest(store: SyncStore, entity: string, bucketCount: number) {
  return computeVisibleSetDigest((await store.versions(entity)).map((v) => [v.id, v.version] as const), bucketCount);
}

const entity = fc.constantFrom(...ENTITIES);
const id = fc.constantFrom(...IDS);
const version = fc.string({ minLength: 1, maxLength: 6 });
type Op =
  | { k: 'page'; upserts: { entity: string; id: string; version: string }[]; removals: { entity: string; id: string }[]; clear: string | null }
  | { k: 'unversion'; items: { entity: string; id: string }[] }
  | { k: 'forget'; entity: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('page' as const),
      upserts: fc.array(fc.record({ entity, id, version }), { maxLength: 6 }),
      removals: fc.array(fc.record({ entity, id }), { maxLength: 3 }),
      clear: fc.option(entity, { freq: 8 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('unversion' as const), items: fc.array(fc.record({ entity, id }), { maxLength: 3 }) }) },
  // A vault from before the stored digest: the row is missing while versions exist.
  { weight: 1, arbitrary: fc.record({ k: fc.constant('forget' as const), entity }) },
);

describe('the incremental local digest', () => {
  it('always equals a full recompute over the stored versions, at every bucket count, after random operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { db, store } = await openStore();
        try {
          for (const o of ops) {
            if (o.k === 'page') {
              await applyPage(store, {
                upserts: o.upserts.map((u) => ({ ...u, members: { N: 1 } })),
                removals: o.removals.map((r) => ({ ...r, reason: 'deleted' as const })),
                ...(o.clear === null ? {} : { clear: [{ entity: o.clear, reason: 'cleared' as const }] }),
              });
            } else if (o.k === 'unversion') {
              await store.mutate(async () => ({ mutation: { unversion: o.items }, result: undefined }));
            } else {
              await db.table(SYNC_STATE_STORE).delete(digestStateKey(o.entity));
            }
            for (const e of ENTITIES) for (const n of COUNTS) expect(await store.localDigest(e, n)).toEqual(await fullDigest(store, e, n));
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reads exactly the stored versions of the asked buckets', async () => {
    const { db, store } = await openStore();
    const versions = IDS.map((i, n) => ({ entity: 'T.A', id: i, version: `v${n}` }));
    await store.mutate(async () => ({ mutation: { versions }, result: undefined }));
    for (const buckets of [[0], [1, 3], [0, 1, 2, 3]]) {
      const got = (await store.versionsInBuckets('T.A', 4, buckets)).map((v) => v.id).sort();
      expect(got).toEqual(IDS.filter((i) => buckets.includes(digestBucketOf(i, 4))).sort());
    }
    db.close();
  });

  it('repairs drifted buckets when their items are read, so the next comparison is right', async () => {
    const { db, store } = await openStore();
    await store.mutate(async () => ({ mutation: { versions: IDS.map((i) => ({ entity: 'T.A', id: i, version: '1' })) }, result: undefined }));
    // A version written behind the digest's back (another writer that does not keep it).
    await db.table('_versions').put({ k: 'T.A\u0000a', e: 'T.A', v: '2' });
    const full = await fullDigest(store, 'T.A', 4);
    const stale = await store.localDigest('T.A', 4);
    const differing = stale.buckets.flatMap((b, i) => (b === full.buckets[i] ? [] : [i]));
    expect(differing).toEqual([digestBucketOf('a', 4)]);
    await store.versionsInBuckets('T.A', 4, differing);
    expect(await store.localDigest('T.A', 4)).toEqual(full);
    db.close();
  });

  it('recomputes a missing digest once and keeps it stored for the next syncs', async () => {
    const { db, store } = await openStore();
    await store.mutate(async () => ({ mutation: { versions: [{ entity: 'T.B', id: 'a', version: '1' }] }, result: undefined }));
    await db.table(SYNC_STATE_STORE).delete(digestStateKey('T.B'));
    expect(await store.localDigest('T.B', 1)).toEqual(await fullDigest(store, 'T.B', 1));
    expect(await db.table(SYNC_STATE_STORE).get(digestStateKey('T.B'))).toBeDefined();
    db.close();
  });
});
