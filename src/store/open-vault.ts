import type { AppDefinition, VaultObject } from '../app/index.js';
import { ValidationError } from '../core/errors.js';
import { createEntityTable, liveEntity } from './entity-table.js';
import { loadOrCreateKeys } from './keyring-store.js';
import { mapStorageError } from './map-storage-error.js';
import { closedError, createMemoryTable, type MemoryTable } from './memory-table.js';
import { listPendingChanges, type PendingChange } from './outbox.js';
import { requestPersistence } from './request-persistence.js';
import { createEncryptedCodec, createPlainCodec, type RecordCodec } from './record-codec.js';
import { createVaultDatabase, type IndexedDbDependencies } from './vault-database.js';
import type { VaultObservable, VaultTable } from './vault-table.js';

/** Options of `openVault`. */
export interface OpenVaultOptions extends IndexedDbDependencies {
  /** Vault name; the IndexedDB database is `offline-vault/<name>`. */
  name: string;
  app: AppDefinition;
  /** Encrypt records, indexes and the outbox at rest. @default { database: true } */
  encryption?: { database?: boolean };
  /** Ask the browser to keep the vault's storage (`navigator.storage.persist()`). @default true */
  requestPersistence?: boolean;
}

/** An open vault: the app's objects on this device, encrypted at rest. */
export interface Vault {
  readonly name: string;
  readonly app: AppDefinition;
  /** Whether records, indexes and the outbox are encrypted at rest. */
  readonly encrypted: boolean;
  /** The browser's answer to `navigator.storage.persist()`; null where it could not be asked. */
  readonly persisted: boolean | null;
  /** The table of an entity; throws ValidationError for an unknown entity. */
  table(entity: string): VaultTable;
  /** All objects of an entity, re-emitted whenever they change (in this tab or another). */
  live(entity: string): VaultObservable<VaultObject[]>;
  /** Local changes not yet synchronized, one per object and write, in commit order. */
  outbox(): Promise<PendingChange[]>;
  /** Number of objects with unsynchronized local changes. */
  pendingChanges(): Promise<number>;
  /** Closes the database and drops memory-only objects. */
  close(): void;
}

/**
 * Opens (or creates) a vault. On first open it creates the key set as non-extractable CryptoKeys
 * in the database; later opens use the stored keys. A database that has ciphertext but no keys
 * rejects with KeyLostError and is left untouched.
 */
export async function openVault(options: OpenVaultOptions): Promise<Vault> {
  const { name, app } = options;
  if (typeof name !== 'string' || name === '' || name.length > 100) {
    throw new ValidationError('invalid-option', 'openVault needs a vault name of 1 to 100 characters', { option: 'name' });
  }
  if (app === undefined || typeof app.entity !== 'function') {
    throw new ValidationError('invalid-option', 'openVault needs an app definition from defineApp()', { option: 'app' });
  }
  const wantEncrypted = options.encryption?.database ?? true;
  const db = createVaultDatabase(name, app, options);
  let codec: RecordCodec;
  try {
    await db.open();
    const { keys } = await loadOrCreateKeys(db, app, wantEncrypted);
    codec = keys === undefined ? createPlainCodec() : createEncryptedCodec(keys, app.version);
  } catch (error) {
    db.close();
    throw mapStorageError(error, { vault: name, operation: 'open' });
  }
  const persisted = options.requestPersistence === false ? null : await requestPersistence();

  let open = true;
  const ensureOpen = () => {
    if (!open) throw closedError(name);
  };
  const memory = new Map<string, MemoryTable>();
  const tables = new Map<string, VaultTable>();
  for (const entity of app.entities.values()) {
    if (entity.persistent) tables.set(entity.name, createEntityTable({ db, codec, entity, ensureOpen }));
    else {
      const table = createMemoryTable(entity, ensureOpen);
      memory.set(entity.name, table);
      tables.set(entity.name, table);
    }
  }
  const table = (entity: string): VaultTable => {
    const found = tables.get(entity);
    if (found === undefined) app.entity(entity); // throws the unknown-entity ValidationError
    return found!;
  };

  const outbox = async (): Promise<PendingChange[]> => {
    ensureOpen();
    try {
      return await listPendingChanges(db, codec);
    } catch (error) {
      throw mapStorageError(error, { vault: name, operation: 'read-outbox' });
    }
  };

  return {
    name,
    app,
    encrypted: codec.encrypted,
    persisted,
    table,
    live(entity) {
      const t = table(entity);
      const mem = memory.get(entity);
      return mem !== undefined ? mem.observe() : liveEntity(() => t.toArray());
    },
    outbox,
    async pendingChanges() {
      const changes = await outbox();
      return new Set(changes.map((c) => `${c.entity}\u0000${c.id}`)).size;
    },
    close() {
      if (!open) return;
      open = false;
      for (const m of memory.values()) m.clear();
      db.close();
    },
  };
}

