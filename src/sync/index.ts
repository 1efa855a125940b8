// Client sync engine (DESIGN.md §4, docs/protocol.md); wired into vaults by `openVault({ sync })`.
export type {
  SyncProgress,
  SyncRunOptions,
  SyncResult,
  PurgedEvent,
  ProtocolViolationEvent,
  ChangeEvent,
  VaultEvents,
  SyncErrorEntry,
} from './sync-types.js';
export type { SyncConfig } from './transport.js';
export type { DiscardedChange } from './export-pending.js';
