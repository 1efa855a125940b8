export { openVault } from './open-vault.js';
export type { OpenVaultOptions, Vault } from './open-vault.js';
export type { VaultTable, VaultQuery, WhereClause, VaultObservable } from './vault-table.js';
export type { PendingChange, OutboxEntry, OutboxChange } from './outbox.js';
export { databaseName } from './vault-database.js';
export type { LocalQueryOptions, QueryUser } from './local-query.js';
export type { VaultSyncApi } from './vault-sync.js';
export type { SyncErrorEntry } from './sync-store-types.js';
export type { EncryptionReport, StoreReport } from './verify-encryption.js';
