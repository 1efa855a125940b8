export { openVault } from './open-vault.js';
export type { OpenVaultOptions, Vault } from './open-vault.js';
export type { VaultTable, VaultQuery, WhereClause, VaultObservable } from './vault-table.js';
export type { PendingChange, OutboxEntry, OutboxChange } from './outbox.js';
export { databaseName } from './vault-database.js';
