import type { VisibleSetDigest } from '../core/sync-protocol.js';
import type { Members } from './record-codec.js';
import type { OutboxEntry } from './outbox.js';

/** A rejected upload kept for the app (Mendix `System.SynchronizationError`). */
export interface SyncErrorEntry {
  id: string;
  entity: string;
  objectId: string;
  op: 'create' | 'update' | 'delete';
  /** The object as the device had it when it was uploaded (for a delete: before the delete). */
  content: Record<string, unknown>;
  reason: { code: string; message: string };
  at: string;
}

/** What the sync engine knows about a downloaded object: the server's version of it. */
export interface VersionEntry {
  entity: string;
  id: string;
  version: string;
  /** Opaque extra the digest needs (e.g. a hash of the readable member set). */
  tag?: string;
}

/** One decoded outbox row with the key it is bound to. */
export interface OutboxSnapshotRow {
  seq: number;
  uid: string;
  entry: OutboxEntry;
}

/** What a mutation may read: the outbox as of now, and objects (recorded for the conflict check). */
export interface MutationContext {
  readonly outbox: readonly OutboxSnapshotRow[];
  load(entity: string, ids: readonly string[]): Promise<(Members | undefined)[]>;
}

/** Writes of one mutation, committed atomically. */
export interface Mutation {
  put?: { entity: string; id: string; members: Members }[];
  delete?: { entity: string; id: string }[];
  versions?: VersionEntry[];
  unversion?: { entity: string; id: string }[];
  /** Rows of `_syncState` to write (`undefined` deletes the key). */
  state?: { key: string; value: unknown }[];
  errors?: SyncErrorEntry[];
  /** Outbox rows to delete, and rows to rewrite with fewer changes (same seq and uid). */
  outboxDelete?: number[];
  outboxRewrite?: OutboxSnapshotRow[];
}

/**
 * The sync engine's access to the vault's storage (implemented on Dexie in sync-store.ts).
 * Nothing here writes outbox entries: downloads and purges are not local changes.
 */
export interface SyncStore {
  readonly vaultName: string;
  readOutbox(): Promise<OutboxSnapshotRow[]>;
  getObjects(entity: string, ids: readonly string[]): Promise<(Members | undefined)[]>;
  /** Ids of every stored object of an entity (keys only). */
  objectIds(entity: string): Promise<string[]>;
  /** The ids among `ids` that have a stored object (keys only). */
  existingIds(entity: string, ids: readonly string[]): Promise<Set<string>>;
  versions(entity: string): Promise<VersionEntry[]>;
  /**
   * The digest of the entity's stored versions at `bucketCount` buckets, from the incremental
   * digest every mutation keeps (O(buckets)); recomputed in full once when none is stored.
   */
  localDigest(entity: string, bucketCount: number): Promise<VisibleSetDigest>;
  /** The stored versions whose ids fall in `buckets` (of `bucketCount`); repairs those digest buckets if they drifted. */
  versionsInBuckets(entity: string, bucketCount: number, buckets: readonly number[]): Promise<VersionEntry[]>;
  /** Ids of the entity's objects that have a server version (a key-only read). */
  versionedIds(entity: string): Promise<string[]>;
  getState<T>(key: string): Promise<T | undefined>;
  /**
   * Plans with `plan` against a consistent view and commits its writes in one transaction; when
   * another writer changed a loaded object or appended to the outbox meanwhile, plans again.
   */
  mutate<R>(plan: (ctx: MutationContext) => Promise<{ mutation: Mutation; result: R }>): Promise<R>;
  listSyncErrors(): Promise<SyncErrorEntry[]>;
  deleteSyncError(id: string): Promise<boolean>;
  getUser(): Promise<{ id: string; roles: readonly string[] } | null>;
  setUser(user: { id: string; roles: readonly string[] }): Promise<void>;
}
