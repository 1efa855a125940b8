// Public entry of 'offline-vault/server' (Node only): the reference sync server and its storage adapters.
export { createSyncServer } from './create-sync-server.js';
export type { SyncServer, SyncServerOptions, SyncAction } from './create-sync-server.js';
export type { Listener } from './node-bridge.js';
export { openSqliteStore } from './open-sqlite-store.js';
export type { SqliteStoreOptions } from './open-sqlite-store.js';
export { openPostgresStore } from './open-postgres-store.js';
export type { PostgresStoreOptions } from './open-postgres-store.js';
export type { SyncStore, SqlExecutor, SqlRow } from './sync-store.js';
export { ensureSchema } from './ensure-schema.js';
export * from '../core/sync-protocol.js';
