import type { AppDefinition } from '../app/index.js';
import {
  PROTOCOL_VERSION,
  REMOVAL_REASONS,
  SYNC_ROUTES,
  type DownloadResponse,
  type EntityDownloadRequest,
  type EntityDownloadResponse,
  type RemovalReason,
  type SyncLimits,
} from '../core/sync-protocol.js';
import { differingBuckets, isDigestBucketCount } from '../core/visible-set-digest.js';
import type { SyncStore } from '../store/sync-store-types.js';
import { applyPage, type Page, type PageOutcome } from './apply-page.js';
import type { DownloadScreen } from './screen-download.js';
import type { ProtocolViolationEvent, SyncProgress } from './sync-types.js';
import { checkAborted, type Transport } from './transport.js';

/** Reconcile rounds after the first digest comparison (protocol: at most twice more). */
const MAX_RECONCILE_ROUNDS = 3;
const DOWNLOAD_MODES = new Set(['all', 'xpath']);

export interface DownloadEnv {
  app: AppDefinition;
  store: SyncStore;
  transport: Transport;
  screen: DownloadScreen;
  limits: SyncLimits;
  signal?: AbortSignal | undefined;
  progress(p: SyncProgress): void;
  report(v: ProtocolViolationEvent): void;
  applied(outcome: PageOutcome): void;
}

export function checkpointKey(entity: string): string {
  return `checkpoint:${entity}`;
}

/** Entities a full sync asks for: persistent, and not `never` in the app's sync profile. */
export function fullSyncEntities(app: AppDefinition): string[] {
  return [...app.entities.values()].filter((e) => e.persistent && app.syncProfile.get(e.name)?.mode !== 'never').map((e) => e.name);
}

function profileDownloads(app: AppDefinition, entity: string): boolean {
  return DOWNLOAD_MODES.has(profileMode(app, entity));
}

function removalReason(env: DownloadEnv, entity: string, id: unknown, reason: unknown): RemovalReason | null {
  if (typeof id !== 'string') return null;
  if (REMOVAL_REASONS.includes(reason as RemovalReason)) return reason as RemovalReason;
  env.report({ entity, id, kind: 'invalid-removal' });
  return 'access-lost';
}

/** Screens one entity's page into a Page (the checkpoint committed with it). */
function screenEntityPage(env: DownloadEnv, entity: string, r: EntityDownloadResponse): Page {
  const page: Page = { upserts: [], removals: [], state: [{ key: checkpointKey(entity), value: r.checkpoint ?? null }] };
  const downloads = profileDownloads(env.app, entity);
  for (const u of Array.isArray(r.upserts) ? r.upserts : []) {
    if (!downloads) {
      env.report({ entity, ...(typeof u?.id === 'string' ? { id: u.id } : {}), kind: 'not-downloaded-entity' });
      continue;
    }
    const members = env.screen.object(entity, u?.id, u?.values);
    if (members !== null && typeof u.version === 'string') page.upserts.push({ entity, id: u.id, version: u.version, members });
  }
  for (const rm of Array.isArray(r.removals) ? r.removals : []) {
    const reason = removalReason(env, entity, rm?.id, rm?.reason);
    if (reason !== null) page.removals.push({ entity, id: rm.id, reason });
  }
  if (r.clear === 'cleared' || r.clear === 'access-lost') page.clear = [{ entity, reason: r.clear }];
  else if (!env.screen.readable(entity)) page.clear = [{ entity, reason: 'access-lost' }];
  else if (profileMode(env.app, entity) === 'nothing-clear') page.clear = [{ entity, reason: 'cleared' }];
  return page;
}

function profileMode(app: AppDefinition, entity: string): string {
  return app.syncProfile.get(entity)?.mode ?? 'all';
}

/** The reconcile request for the buckets where the local digest differs, or null when in step. */
async function reconcileFor(env: DownloadEnv, entity: string, r: EntityDownloadResponse): Promise<EntityDownloadRequest['reconcile'] | null> {
  const digest = r.digest;
  if (digest === undefined || !isDigestBucketCount(digest.bucketCount) || digest.buckets?.length !== digest.bucketCount) return null;
  // The stored incremental digest: O(buckets) when in step; only differing buckets' items are read.
  const differing = differingBuckets(await env.store.localDigest(entity, digest.bucketCount), digest);
  if (differing.length === 0) return null;
  const have = (await env.store.versionsInBuckets(entity, digest.bucketCount, differing)).map((v) => [v.id, v.version] as [string, string]);
  return { bucketCount: digest.bucketCount, buckets: differing, have: have.slice(0, env.limits.maxReconcileItems) };
}

/**
 * Full download: per entity, pages from the stored checkpoint until `hasMore` is false, then the
 * digest comparison and up to three reconcile rounds. Each page is applied atomically with its
 * checkpoint; cancellation is honoured between pages only.
 */
export async function downloadAll(env: DownloadEnv, entities: readonly string[]): Promise<void> {
  let pending = new Map<string, EntityDownloadRequest>();
  for (const entity of entities) pending.set(entity, { checkpoint: (await env.store.getState<string | null>(checkpointKey(entity))) ?? null });
  const rounds = new Map<string, number>();
  let done = 0;
  while (pending.size > 0) {
    checkAborted(env.signal);
    env.progress({ phase: 'download', done, total: entities.length });
    const response = await env.transport.request<DownloadResponse>(
      'POST',
      SYNC_ROUTES.download,
      { protocol: PROTOCOL_VERSION, entities: Object.fromEntries(pending) },
      { retry: true, signal: env.signal },
    );
    const next = new Map<string, EntityDownloadRequest>();
    for (const entity of pending.keys()) {
      const r = response?.entities?.[entity];
      if (r === undefined || r === null || typeof r !== 'object') continue; // retried next sync
      checkAborted(env.signal);
      const more = r.hasMore === true;
      const page = screenEntityPage(env, entity, r);
      const size = page.upserts.length + page.removals.length;
      env.progress({ phase: 'apply', entity, done: 0, total: size });
      env.applied(await applyPage(env.store, page));
      env.progress({ phase: 'apply', entity, done: size, total: size });
      if (more) next.set(entity, { checkpoint: r.checkpoint ?? null });
      else {
        // Compared after the page is applied, on the stored versions.
        const reconcile = await reconcileFor(env, entity, r);
        const round = rounds.get(entity) ?? 0;
        if (reconcile !== null && round < MAX_RECONCILE_ROUNDS) {
          rounds.set(entity, round + 1);
          next.set(entity, { checkpoint: r.checkpoint ?? null, reconcile });
        } else await finishEntity(env, entity, r);
      }
      if (!next.has(entity)) done++;
    }
    for (const entity of Object.keys(response?.entities ?? {})) if (!pending.has(entity)) env.report({ entity, kind: 'unexpected-entity' });
    pending = next;
  }
  env.progress({ phase: 'download', done, total: entities.length });
}

async function finishEntity(env: DownloadEnv, entity: string, r: EntityDownloadResponse): Promise<void> {
  if (!DOWNLOAD_MODES.has(r.mode) || !profileDownloads(env.app, entity)) return;
  env.applied(await applyPage(env.store, { upserts: [], removals: [], orphans: [entity] }));
}
