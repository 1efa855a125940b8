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
} from './store/index.js';
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
  isVaultError,
} from './core/index.js';
export type { VaultErrorDetails } from './core/index.js';
export type { VaultObject } from './app/index.js';
