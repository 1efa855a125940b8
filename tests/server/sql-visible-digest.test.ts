import { afterEach, describe, expect, test } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import type { EntityDownloadResponse, SyncUser, UploadChange } from '../../src/core/sync-protocol.js';
import { computeVisibleSetDigest, differingBuckets, digestBucketOf, digestItemHash } from '../../src/core/visible-set-digest.js';
import { entityAccess, type AccessContext } from '../../src/server/access-sql.js';
import { applyUpload } from '../../src/server/apply-upload.js';
import { digestColumnValues, suffixTable } from '../../src/server/digest-columns.js';
import { ALIAS, downloadEntity } from '../../src/server/download-entity.js';
import { ensureSchema } from '../../src/server/ensure-schema.js';
import type { SyncStore } from '../../src/server/sync-store.js';
import { sqlVisibleDigest } from '../../src/server/visible-digest-sql.js';
import { availableBackends, openTestStore } from './helpers/sync-fixture.js';

const backends = await availableBackends();

/** Rules that overlap (several readable-member patterns per user), a time token, and a sync profile XPath. */
const app = defineApp({
  roles: ['A', 'B', 'C', 'Admin'],
  entities: {
    'T.Item': { attributes: { Level: 'integer', Kind: { enum: ['x', 'y', 'z'] }, Owner: 'string', Secret: 'string', Due: 'datetime' } },
    'T.Wide': { attributes: { N: 'integer', Text: 'string' } },
  },
  accessRules: {
    'T.Item': [
      { roles: ['A'], members: { Level: 'read', Kind: 'read' }, xpath: '[Level > 3]' },
      { roles: ['A'], members: { Owner: 'read', Secret: 'read' }, xpath: "[Owner = '[%CurrentUser%]']" },
      { roles: ['B'], members: { Level: 'read', Kind: 'read', Owner: 'read' } },
      { roles: ['B'], members: { Secret: 'read' }, xpath: "[Kind = 'z' or Due < '[%CurrentDateTime%]']" },
      { roles: ['C'], members: { Due: 'read' }, xpath: "[Kind != 'x']" },
      { roles: ['Admin'], create: true, delete: true, members: '*' },
    ],
    // Five rules with an XPath for one role: more patterns than the database path takes (JS fallback).
    'T.Wide': [
      { roles: ['A'], members: { N: 'read' }, xpath: '[N > 1]' },
      { roles: ['A'], members: { Text: 'read' }, xpath: '[N > 2]' },
      { roles: ['A'], members: { N: 'read', Text: 'read' }, xpath: '[N > 3]' },
      { roles: ['A'], members: { N: 'read' }, xpath: '[N > 4]' },
      { roles: ['A'], members: { Text: 'read' }, xpath: '[N > 5]' },
      { roles: ['Admin'], create: true, delete: true, members: '*' },
    ],
  },
  syncProfile: { 'T.Item': { mode: 'xpath', xpath: '[Level != 7]' } },
});

const NOW = new Date('2030-06-01T00:00:00.000Z');
const USERS: SyncUser[] = [
  { id: 'u1', roles: ['A'] },
  { id: 'u2', roles: ['A', 'B'] },
  { id: 'u3', roles: ['B', 'C'] },
  { id: 'u4', roles: ['A', 'B', 'C'] },
  { id: 'root', roles: ['Admin'] },
];

/** Deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_CHARS = 'abcdefXYZ0123456789-_ üé€😀';

/** Random creates, then random updates and deletes (several versions), as the admin. */
function randomChanges(seed: number): UploadChange[][] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ids = new Set<string>();
  while (ids.size < 150 + Math.floor(r() * 150)) ids.add(Array.from({ length: 1 + Math.floor(r() * 12) }, () => pick([...ID_CHARS])).join(''));
  let m = 0;
  const item = (): Record<string, unknown> => ({
    Level: r() < 0.1 ? null : Math.floor(r() * 10),
    Kind: pick(['x', 'y', 'z', null]),
    Owner: pick(['u1', 'u2', 'u3', 'u4', null]),
    Secret: r() < 0.5 ? `s${Math.floor(r() * 100)}` : null,
    Due: r() < 0.8 ? new Date(NOW.getTime() + (r() - 0.5) * 1e10).toISOString() : null,
  });
  const creates: UploadChange[] = [];
  for (const id of ids) {
    creates.push({ mutationId: `m${m++}`, entity: 'T.Item', id, op: 'create', values: item() });
    creates.push({ mutationId: `m${m++}`, entity: 'T.Wide', id, op: 'create', values: { N: Math.floor(r() * 8), Text: 't' } });
  }
  const later: UploadChange[] = [];
  for (const id of ids) {
    const x = r();
    if (x < 0.3) later.push({ mutationId: `m${m++}`, entity: 'T.Item', id, op: 'update', values: item() });
    else if (x < 0.4) later.push({ mutationId: `m${m++}`, entity: 'T.Item', id, op: 'delete' });
  }
  return [creates, later];
}

function contextOf(store: SyncStore, user: SyncUser): AccessContext {
  return { app, dialect: store.dialect, user, xpath: { user, now: NOW, timeZone: 'UTC' } };
}

/** Full download of one entity in small pages: every visible [id, version] and the last page's digest. */
async function downloadAll(store: SyncStore, ac: AccessContext, entity: string): Promise<{ items: [string, string][]; last: EntityDownloadResponse }> {
  const items: [string, string][] = [];
  let checkpoint: string | null = null;
  for (;;) {
    const page: EntityDownloadResponse = await store.transaction('read', (tx) => downloadEntity(tx, ac, entity, { checkpoint }, 37));
    for (const u of page.upserts) items.push([u.id, u.version]);
    checkpoint = page.checkpoint;
    if (!page.hasMore) return { items, last: page };
  }
}

const open: { drop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.drop();
});

async function seededStore(backend: (typeof backends)[number], seed: number): Promise<SyncStore> {
  const t = await openTestStore(backend);
  open.push(t);
  await ensureSchema(t.store, app);
  const admin = contextOf(t.store, { id: 'root', roles: ['Admin'] });
  for (const batch of randomChanges(seed)) {
    const results = await applyUpload(t.store, admin, batch);
    expect(results.filter((x) => x.status !== 'applied')).toEqual([]);
  }
  return t.store;
}

describe('digest bookkeeping columns', () => {
  test.each([
    ['ascii id', 'item-1', 17, 'abcdef01'],
    ['non-ASCII id', 'üé€😀', 123456789, '0f0f0f0f'],
    ['large version', 'x', 2 ** 52, 'ffffffff'],
  ])('stored value plus the suffix constant is the item hash (%s)', (_name, id, seq, suffix) => {
    const cols = Object.fromEntries(digestColumnValues(id, seq));
    const [chi, clo] = suffixTable(suffix)[cols['ov$dlow']!]!;
    const sum = cols['ov$dlo']! + clo;
    const hash = [(cols['ov$dhi']! + chi + Math.floor(sum / 2 ** 32)) >>> 0, sum >>> 0];
    expect(hash).toEqual(digestItemHash(id, `${seq}.${suffix}`));
  });
});

describe.each(backends)('digest computed by %s', (backend) => {
  test.each([1, 2, 3])('equals the JS digest of the downloaded visible set for every user (seed %i)', async (seed) => {
    const store = await seededStore(backend, seed);
    for (const user of USERS) {
      const ac = contextOf(store, user);
      const { items, last } = await downloadAll(store, ac, 'T.Item');
      const sql = await store.transaction('read', (tx) => sqlVisibleDigest(tx, ac, entityAccess(ac, 'T.Item', ALIAS)));
      expect(sql).not.toBeNull(); // the database path was taken
      expect(last.digest).toEqual(sql);
      expect(sql).toEqual(computeVisibleSetDigest(items, sql!.bucketCount));
    }
  });

  test('reconciling the differing buckets repairs missing, stale and extra held objects', async () => {
    const store = await seededStore(backend, 6);
    const ac = contextOf(store, USERS[1]!);
    const { items, last } = await downloadAll(store, ac, 'T.Item');
    expect(last.digest!.bucketCount).toBeGreaterThan(1);
    const held = new Map(items);
    const truth = new Map(items);
    const ids = [...held.keys()];
    held.delete(ids[0]!); // missing
    held.set(ids[1]!, '1.00000000'); // stale version
    held.set('never-visible', '1.00000000'); // not visible (no such object)
    const local = computeVisibleSetDigest(held, last.digest!.bucketCount);
    const buckets = differingBuckets(local, last.digest!);
    expect(buckets.length).toBeGreaterThan(0);
    const have = [...held].filter(([id]) => buckets.includes(digestBucketOf(id, local.bucketCount)));
    const rec = { bucketCount: local.bucketCount, buckets, have };
    const r = await store.transaction('read', (tx) => downloadEntity(tx, ac, 'T.Item', { checkpoint: last.checkpoint, reconcile: rec }, 37));
    for (const u of r.upserts) held.set(u.id, u.version);
    for (const x of r.removals) held.delete(x.id);
    expect(r.removals).toEqual([{ id: 'never-visible', reason: 'deleted' }]);
    expect(r.upserts.map((u) => u.id).sort()).toEqual([ids[0]!, ids[1]!].sort());
    expect(new Map([...held].sort())).toEqual(new Map([...truth].sort()));
    expect(computeVisibleSetDigest(held, r.digest!.bucketCount)).toEqual(r.digest);
  });

  test('falls back to hashing in JS for rows without bookkeeping columns, until ensureSchema backfills them', async () => {
    const store = await seededStore(backend, 4);
    const ac = contextOf(store, USERS[3]!);
    const digest = () => store.transaction('read', (tx) => sqlVisibleDigest(tx, ac, entityAccess(ac, 'T.Item', ALIAS)));
    const before = await digest();
    await store.transaction('write', (tx) => tx.run(`UPDATE "T.Item" SET "ov$dhi" = NULL, "ov$dlo" = NULL, "ov$dlow" = NULL, "ov$bucket" = NULL WHERE "Level" > 2`));
    expect(await digest()).toBeNull();
    const { items, last } = await downloadAll(store, ac, 'T.Item');
    expect(last.digest).toEqual(before);
    expect(last.digest).toEqual(computeVisibleSetDigest(items, last.digest!.bucketCount));
    await ensureSchema(store, app);
    expect(await digest()).toEqual(before);
  });

  test('an entity with more rule patterns than the database path takes still gets the right digest', async () => {
    const store = await seededStore(backend, 5);
    const ac = contextOf(store, USERS[0]!);
    expect(await store.transaction('read', (tx) => sqlVisibleDigest(tx, ac, entityAccess(ac, 'T.Wide', ALIAS)))).toBeNull();
    const { items, last } = await downloadAll(store, ac, 'T.Wide');
    expect(items.length).toBeGreaterThan(0);
    expect(last.digest).toEqual(computeVisibleSetDigest(items, last.digest!.bucketCount));
  });
});
