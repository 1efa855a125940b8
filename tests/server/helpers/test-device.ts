import type { DownloadObject, EntityDownloadRequest, Removal } from '../../../src/core/sync-protocol.js';
import { computeVisibleSetDigest, differingBuckets, digestBucketOf } from '../../../src/core/visible-set-digest.js';
import type { Fixture } from './sync-fixture.js';

/** What one sync did per entity. */
export interface DeviceSyncReport {
  upserts: Record<string, number>;
  removals: (Removal & { entity: string })[];
  cleared: { entity: string; reason: string }[];
  requests: number;
}

/** A minimal protocol client (docs/protocol.md §4) that holds objects in memory, for server tests. */
export class TestDevice {
  readonly objects = new Map<string, Map<string, DownloadObject>>();
  readonly checkpoints = new Map<string, string | null>();

  constructor(
    readonly fx: Fixture,
    readonly user: string,
    readonly entities: readonly string[],
  ) {}

  table(entity: string): Map<string, DownloadObject> {
    let t = this.objects.get(entity);
    if (t === undefined) this.objects.set(entity, (t = new Map()));
    return t;
  }

  /** Sorted plain view of what the device holds. */
  view(): Record<string, DownloadObject[]> {
    const out: Record<string, DownloadObject[]> = {};
    for (const e of this.entities) out[e] = [...this.table(e).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    return out;
  }

  /** Download (pages, digest, up to 3 reconciliation rounds) for every entity. */
  async sync(): Promise<DeviceSyncReport> {
    const report: DeviceSyncReport = { upserts: {}, removals: [], cleared: [], requests: 0 };
    let pending = new Map<string, EntityDownloadRequest>(this.entities.map((e) => [e, { checkpoint: this.checkpoints.get(e) ?? null }]));
    let rounds = 0;
    while (pending.size > 0) {
      report.requests++;
      const res = await this.fx.download(this.user, { entities: Object.fromEntries(pending) });
      const next = new Map<string, EntityDownloadRequest>();
      for (const [entity, r] of Object.entries(res.entities)) {
        const t = this.table(entity);
        if (r.clear !== undefined && t.size > 0) {
          report.cleared.push({ entity, reason: r.clear });
          t.clear();
        }
        for (const u of r.upserts) t.set(u.id, u);
        for (const x of r.removals) if (t.delete(x.id)) report.removals.push({ entity, ...x });
        report.upserts[entity] = (report.upserts[entity] ?? 0) + r.upserts.length;
        this.checkpoints.set(entity, r.checkpoint);
        if (r.hasMore) {
          next.set(entity, { checkpoint: r.checkpoint });
          continue;
        }
        if (r.digest === undefined) continue;
        const local = computeVisibleSetDigest([...t.values()].map((o) => [o.id, o.version] as const), r.digest.bucketCount);
        const buckets = differingBuckets(local, r.digest);
        if (buckets.length === 0 || rounds >= 3) continue;
        const inBuckets = new Set(buckets);
        const have = [...t.values()].filter((o) => inBuckets.has(digestBucketOf(o.id, r.digest!.bucketCount))).map((o) => [o.id, o.version] as [string, string]);
        next.set(entity, { checkpoint: r.checkpoint, reconcile: { bucketCount: r.digest.bucketCount, buckets, have } });
      }
      if ([...next.values()].some((n) => n.reconcile !== undefined)) rounds++;
      pending = next;
    }
    return report;
  }
}
