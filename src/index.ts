/**
 * offline-vault: an encrypted, offline-first data layer for progressive web apps.
 * Start with `openVault` and an app definition from `offline-vault/app`.
 */
export { openVault, databaseName } from './store/index.js';
export type {
  OpenVaultOptions,
  Vault,
  VaultTable,
  VaultQuery,
  WhereClause,
  VaultObservable,
  PendingChange,
  LocalQueryOptions,
  QueryUser,
  SecurityLevel,
  UnlockCredential,
  ProtectionTarget,
  PasskeyOptions,
  UnlockMethod,
  ReencryptOptions,
  UsageBudgetOptions,
  StorageLoss,
  MarkerStorage,
} from './store/index.js';
export type { ReencryptProgress, LockedEvent } from './core/index.js';
export type { WebAuthnLike } from './crypto/passkey-prf.js';
export {
  VaultError,
  IntegrityError,
  KeyLostError,
  StorageError,
  ValidationError,
  AccessDeniedError,
  XPathSyntaxError,
  XPathTypeError,
  SyncError,
  UserMismatchError,
  UnsyncedChangesError,
  OfflineError,
  LockedError,
  BadCredentialsError,
  PrfUnsupportedError,
  isVaultError,
} from './core/index.js';
export type { VaultErrorDetails } from './core/index.js';
export type { VaultObject } from './app/index.js';
export type { EncryptionReport, StoreReport } from './store/index.js';
export type {
  SyncConfig,
  SyncProgress,
  SyncRunOptions,
  SyncResult,
  SyncErrorEntry,
  PurgedEvent,
  ProtocolViolationEvent,
  ChangeEvent,
  VaultEvents,
  DiscardedChange,
} from './sync/index.js';
export type { VaultSyncApi } from './store/index.js';
