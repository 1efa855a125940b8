import type { LockedEvent, ReencryptProgress } from '../core/reencrypt-progress.js';
import type { RemovalReason } from '../core/sync-protocol.js';
import type { SyncErrorEntry } from '../store/sync-store-types.js';

export type { SyncErrorEntry };

/** A progress report of a running sync. */
export interface SyncProgress {
  phase: 'upload' | 'download' | 'apply';
  entity?: string;
  done: number;
  total: number;
}

/** Options of `vault.sync()`. */
export interface SyncRunOptions {
  onProgress?: (progress: SyncProgress) => void;
  /** Cancels the sync at the next safe point (never in the middle of applying a page). */
  signal?: AbortSignal;
  /** Selective sync: upload and refresh only these objects (sync profile not applied). */
  objects?: readonly { entity: string; id: string }[];
}

/** What one sync did. */
export interface SyncResult {
  /** Changes the server applied. */
  uploaded: number;
  /** Changes the server rejected (now in `syncErrors()`). */
  rejected: number;
  /** Objects written from the server. */
  downloaded: number;
  /** Objects removed locally (access lost, filter, deleted on the server, cleared). */
  purged: number;
  /** Things the server sent that the rules forbid; dropped, never stored. */
  violations: number;
  /** File contents uploaded before the objects (vaults with file entities). */
  filesUploaded?: number;
  /** File contents downloaded during the sync (entities with `syncProfile.files: 'eager'`). */
  filesDownloaded?: number;
}

/** `purged` event: one per entity and reason per sync. */
export interface PurgedEvent {
  entity: string;
  ids: string[];
  reason: RemovalReason;
}

/** `protocol-violation` event: something the server must not have sent was dropped. */
export interface ProtocolViolationEvent {
  entity: string;
  id?: string;
  member?: string;
  kind: 'unreadable-member' | 'unknown-member' | 'unreadable-entity' | 'not-downloaded-entity' | 'invalid-value' | 'unexpected-entity' | 'invalid-removal';
}

/** `change` event: objects of an entity changed through sync (not through local writes). */
export interface ChangeEvent {
  entity: string;
  ids: string[];
  source: 'sync';
}

/** Events of `vault.on(type, listener)`. */
export interface VaultEvents extends Record<string, unknown> {
  purged: PurgedEvent;
  'sync-progress': SyncProgress;
  'sync-complete': SyncResult;
  'protocol-violation': ProtocolViolationEvent;
  change: ChangeEvent;
  'reencrypt-progress': ReencryptProgress;
  locked: LockedEvent;
}
