import Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';

/** Bookkeeping stores; entity stores are named after their entity (`Module.Entity`). */
export const OUTBOX_STORE = '_outbox';
export const KEYRING_STORE = '_keyring';
export const META_STORE = '_meta';
/** Sync bookkeeping: rejected uploads (sealed), engine state (sealed), server versions per object. */
export const SYNC_ERRORS_STORE = '_syncErrors';
export const SYNC_STATE_STORE = '_syncState';
export const VERSIONS_STORE = '_versions';
/** File contents: `_files` holds one committed row per object id, `_fileChunks` the segments keyed [fileId, index]. */
export const FILES_STORE = '_files';
export const FILE_CHUNKS_STORE = '_fileChunks';

/** Prefix of the index field of a declared index: blind-index bytes when encrypted, a key string when not. */
export const INDEX_FIELD_PREFIX = 'x_';

/** The IndexedDB database name of a vault. */
export function databaseName(vaultName: string): string {
  return `offline-vault/${vaultName}`;
}

export function indexField(attribute: string): string {
  return INDEX_FIELD_PREFIX + attribute;
}

/** Injectable IndexedDB implementation (fake-indexeddb in Node tests). */
export interface IndexedDbDependencies {
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
}

/**
 * Opens the Dexie database of a vault with one store per persistent entity. The schema does not
 * depend on whether the vault is encrypted, so a vault can later be migrated in place.
 */
export function createVaultDatabase(name: string, app: AppDefinition, deps: IndexedDbDependencies = {}): Dexie {
  const db = new Dexie(databaseName(name), {
    ...(deps.indexedDB === undefined ? {} : { indexedDB: deps.indexedDB }),
    ...(deps.IDBKeyRange === undefined ? {} : { IDBKeyRange: deps.IDBKeyRange }),
    // Several tabs share a vault; a newer app version in another tab must not be blocked by us.
    autoOpen: false,
  });
  const schema: Record<string, string> = {
    [OUTBOX_STORE]: '++seq',
    [KEYRING_STORE]: 'name',
    [META_STORE]: 'name',
    [SYNC_ERRORS_STORE]: 'k',
    [SYNC_STATE_STORE]: 'k',
    [VERSIONS_STORE]: 'k, e',
    [FILES_STORE]: 'id, fileId',
    [FILE_CHUNKS_STORE]: '', // outbound keys [fileId, index]; index -1 is a pending write's marker
  };
  for (const entity of app.entities.values()) {
    if (!entity.persistent) continue;
    schema[entity.name] = ['id', ...entity.indexes.map((i) => indexField(i.attribute))].join(', ');
  }
  db.version(app.version).stores(schema);
  return db;
}
