import type { RemovalReason } from '../core/sync-protocol.js';
import type { Members } from '../store/record-codec.js';
import type { Mutation, SyncStore, VersionEntry } from '../store/sync-store-types.js';
import { coalesceChanges, objectKey, type NetChange } from './coalesce-changes.js';

/** One downloaded page (or selective-sync answer), screened, ready to apply. */
export interface Page {
  upserts: { entity: string; id: string; version: string; members: Members }[];
  removals: { entity: string; id: string; reason: RemovalReason }[];
  /** Remove every local object of the entity (mode nothing-clear, or no read access at all). */
  clear?: { entity: string; reason: 'cleared' | 'access-lost' }[];
  /** Entities whose download is complete: remove objects that have no server version and no local change. */
  orphans?: string[];
  /** `_syncState` rows committed with the page (checkpoints). */
  state?: { key: string; value: unknown }[];
}

/** What applying a page did. */
export interface PageOutcome {
  written: { entity: string; id: string }[];
  purged: { entity: string; id: string; reason: RemovalReason }[];
}

function pick(local: Members, members: Iterable<string>): Members {
  const out: Members = {};
  for (const m of members) if (m in local) out[m] = local[m];
  return out;
}

/**
 * Applies a page atomically, without outbox entries. Invariants:
 * - a local change not yet uploaded wins: its members keep their local values, a pending delete
 *   stays deleted, an object with a pending change is never purged (its upload decides later);
 * - the page's versions and checkpoint commit with its objects, so an interrupted sync resumes
 *   from the last applied page;
 * - an app write committed while the page was being prepared makes the store plan it again
 *   (the store re-checks the outbox tail and the loaded rows inside the write transaction).
 */
export async function applyPage(store: SyncStore, page: Page): Promise<PageOutcome> {
  const clearIds = new Map<string, string[]>();
  for (const c of page.clear ?? []) clearIds.set(c.entity, await store.objectIds(c.entity));
  const orphanCandidates = new Map<string, string[]>();
  for (const entity of page.orphans ?? []) {
    const versioned = new Set(await store.versionedIds(entity));
    orphanCandidates.set(entity, (await store.objectIds(entity)).filter((id) => !versioned.has(id)));
  }
  const removalExists = new Set<string>();
  const byEntity = new Map<string, string[]>();
  for (const r of page.removals) byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), r.id]);
  for (const [entity, ids] of byEntity) for (const id of await store.existingIds(entity, ids)) removalExists.add(objectKey(entity, id));
  const clearVersions = new Map<string, VersionEntry[]>();
  for (const c of page.clear ?? []) clearVersions.set(c.entity, await store.versions(c.entity));

  return store.mutate(async (ctx) => {
    const pending = coalesceChanges(ctx.outbox);
    const live = (entity: string, id: string): NetChange | undefined => {
      const p = pending.get(objectKey(entity, id));
      return p === undefined || p.op === 'none' ? undefined : p;
    };
    const m: Required<Pick<Mutation, 'put' | 'delete' | 'versions' | 'unversion'>> = { put: [], delete: [], versions: [], unversion: [] };
    const outcome: PageOutcome = { written: [], purged: [] };
    const remove = (entity: string, id: string, reason: RemovalReason, exists: boolean) => {
      m.unversion.push({ entity, id });
      if (live(entity, id) !== undefined || !exists) return;
      m.delete.push({ entity, id });
      outcome.purged.push({ entity, id, reason });
    };

    const merging = page.upserts.filter((u) => live(u.entity, u.id) !== undefined);
    const locals = new Map<string, Members | undefined>();
    for (const u of merging) locals.set(objectKey(u.entity, u.id), (await ctx.load(u.entity, [u.id]))[0]);
    for (const u of page.upserts) {
      m.versions.push({ entity: u.entity, id: u.id, version: u.version });
      const p = live(u.entity, u.id);
      if (p?.op === 'delete') continue;
      const local = locals.get(objectKey(u.entity, u.id));
      const members = p === undefined || local === undefined ? u.members : { ...u.members, ...pick(local, p.replaces || p.op === 'create' ? Object.keys(local) : p.members) };
      m.put.push({ entity: u.entity, id: u.id, members });
      outcome.written.push({ entity: u.entity, id: u.id });
    }
    for (const r of page.removals) remove(r.entity, r.id, r.reason, removalExists.has(objectKey(r.entity, r.id)));
    for (const c of page.clear ?? []) {
      for (const v of clearVersions.get(c.entity) ?? []) m.unversion.push({ entity: c.entity, id: v.id });
      for (const id of clearIds.get(c.entity) ?? []) remove(c.entity, id, c.reason, true);
    }
    for (const [entity, ids] of orphanCandidates) for (const id of ids) if (live(entity, id) === undefined) remove(entity, id, 'access-lost', true);
    // A removal and an upsert of the same object in one page: the upsert (later state) wins.
    const upserted = new Set(page.upserts.map((u) => objectKey(u.entity, u.id)));
    m.delete = m.delete.filter((d) => !upserted.has(objectKey(d.entity, d.id)));
    m.unversion = m.unversion.filter((d) => !upserted.has(objectKey(d.entity, d.id)));
    outcome.purged = outcome.purged.filter((d) => !upserted.has(objectKey(d.entity, d.id)));
    return { mutation: { ...m, ...(page.state === undefined ? {} : { state: page.state }) }, result: outcome };
  });
}
