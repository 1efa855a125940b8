import { PROTOCOL_VERSION, SYNC_ROUTES, type DownloadResponse } from '../core/sync-protocol.js';
import { applyPage, type Page } from './apply-page.js';
import type { DownloadEnv } from './download-changes.js';
import { REMOVAL_REASONS, type RemovalReason } from '../core/sync-protocol.js';
import { checkAborted } from './transport.js';

/**
 * Selective download: the listed objects as the user may read them now, or their removal. The
 * sync profile is not applied (Mendix) and checkpoints do not move; objects the server does not
 * mention are left alone.
 */
export async function downloadObjects(env: DownloadEnv, objects: readonly { entity: string; id: string }[]): Promise<void> {
  const size = Math.max(1, env.limits.maxObjectsPerRequest);
  for (let start = 0; start < objects.length; start += size) {
    checkAborted(env.signal);
    const chunk = objects.slice(start, start + size);
    env.progress({ phase: 'download', done: start, total: objects.length });
    const response = await env.transport.request<DownloadResponse>(
      'POST',
      SYNC_ROUTES.download,
      { protocol: PROTOCOL_VERSION, objects: chunk },
      { retry: true, signal: env.signal },
    );
    const asked = new Set(chunk.map((o) => `${o.entity}\u0000${o.id}`));
    const page: Page = { upserts: [], removals: [] };
    for (const u of response?.objects?.upserts ?? []) {
      if (!asked.has(`${u?.entity}\u0000${u?.id}`)) {
        env.report({ entity: String(u?.entity), kind: 'unexpected-entity' });
        continue;
      }
      const members = env.screen.object(u.entity, u.id, u.values);
      if (members !== null && typeof u.version === 'string') page.upserts.push({ entity: u.entity, id: u.id, version: u.version, members });
    }
    for (const r of response?.objects?.removals ?? []) {
      if (!asked.has(`${r?.entity}\u0000${r?.id}`)) continue;
      const reason: RemovalReason = REMOVAL_REASONS.includes(r.reason) ? r.reason : 'access-lost';
      if (reason !== r.reason) env.report({ entity: r.entity, id: r.id, kind: 'invalid-removal' });
      page.removals.push({ entity: r.entity, id: r.id, reason });
    }
    const total = page.upserts.length + page.removals.length;
    env.progress({ phase: 'apply', done: 0, total });
    env.applied(await applyPage(env.store, page));
    env.progress({ phase: 'apply', done: total, total });
  }
  env.progress({ phase: 'download', done: objects.length, total: objects.length });
}
