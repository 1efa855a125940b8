import type { AppDefinition, VaultObject } from '../app/index.js';
import { ValidationError } from '../core/errors.js';
import { changeSignal } from './change-signal.js';
import { createEntityTable, liveEntity } from './entity-table.js';
import { loadOrCreateKeys, type SecurityLevel } from './keyring-store.js';
import { mapStorageError } from './map-storage-error.js';
import { closedError, createMemoryTable, type MemoryTable } from './memory-table.js';
import { liveLocalQuery } from './live-local-query.js';
import { prepareLocalQuery, type LocalQueryHost, type LocalQueryOptions } from './local-query.js';
import { listPendingChanges, type PendingChange } from './outbox.js';
import { requestPersistence } from './request-persistence.js';
import { verifyEncryption, type EncryptionReport } from './verify-encryption.js';
import { createWriteGuard } from './write-guard.js';
import { createEncryptedCodec, createPlainCodec, type RecordCodec } from './record-codec.js';
import { createVaultDatabase, type IndexedDbDependencies } from './vault-database.js';
import { createFileStore, type FileStore, type FileStoreOptions } from '../files/index.js';
import type { VaultObservable, VaultTable } from './vault-table.js';
import { createBlobCodec, type BlobCodec } from './blob-codec.js';
import { createVaultSync, type VaultSyncApi } from './vault-sync.js';
import type { SyncConfig } from '../sync/transport.js';
import { createFileSync, type SyncedFileStore } from '../sync/file-sync.js';

/** Options of `openVault`. */
export interface OpenVaultOptions extends IndexedDbDependencies {
  /** Vault name; the IndexedDB database is `offline-vault/<name>`. */
  name: string;
  app: AppDefinition;
  /**
   * Encrypt records, indexes and the outbox (`database`) and file contents (`files`, default: as
   * `database`) at rest. Files are self-describing: changing `files` later keeps every file readable.
   * @default { database: true }
   */
  encryption?: { database?: boolean; files?: boolean };
  /** File contents: size limit (default 100 MiB per file) and crash-recovery timing. */
  files?: FileStoreOptions;
  /**
   * Refuse, with AccessDeniedError, local writes the access rules certainly forbid (once the
   * server has named the user). The server checks every change again either way. @default true
   */
  checkAccess?: boolean;
  /** Ask the browser to keep the vault's storage (`navigator.storage.persist()`). @default true */
  requestPersistence?: boolean;
  /** The sync server: base URL, bearer token (or async provider), optional fetch and retry policy. */
  sync?: SyncConfig;
}

/** An open vault: the app's objects on this device, encrypted at rest. */
export interface Vault extends VaultSyncApi {
  readonly name: string;
  readonly app: AppDefinition;
  /** Whether records, indexes and the outbox are encrypted at rest. */
  readonly encrypted: boolean;
  /** The browser's answer to `navigator.storage.persist()`; null where it could not be asked. */
  readonly persisted: boolean | null;
  /**
   * Contents of file entities (`vault.files.put(entity, id, blob)`, `get`, `stream`, ...). With a
   * sync server, `get` / `stream` download a file on first access (or when the server has a newer
   * content version), `prefetch(entity)` downloads an entity's files, and `put` marks the file for
   * upload by the next `sync()` (before the objects).
   */
  readonly files: SyncedFileStore;
  /** The table of an entity; throws ValidationError for an unknown entity. */
  table(entity: string): VaultTable;
  /**
   * The objects of `entity` matching an XPath constraint (DESIGN.md §3), in id order, e.g.
   * `query('Sales.Order', "[TotalPrice > 100 and Sales.Order_Customer/Sales.Customer/City = 'Rotterdam']")`.
   * A top-level equality on a declared index (`[Status = 'Open']`, also as one conjunct or an `or`
   * of equalities on that attribute) reads only the matching objects through the index (a blind
   * index when encrypted); `[id = '...']` reads those objects; anything else reads and decrypts the
   * whole entity. Associations resolve from the objects on this device. An invalid constraint
   * throws XPathSyntaxError / XPathTypeError (and a variable without a value throws
   * `unknown-variable`) before anything is read.
   */
  query(entity: string, xpath: string, options?: LocalQueryOptions): Promise<VaultObject[]>;
  /**
   * All objects of an entity, re-emitted whenever they change (in this tab or another). With a
   * constraint: the `query` result, re-run when the entity or an entity its paths reach changes,
   * and emitted when the result differs. A bad constraint throws here, synchronously.
   */
  live(entity: string, xpath?: string, options?: LocalQueryOptions): VaultObservable<VaultObject[]>;
  /** Local changes not yet synchronized, one per object and write, in commit order. */
  outbox(): Promise<PendingChange[]>;
  /** Number of objects with unsynchronized local changes. */
  pendingChanges(): Promise<number>;
  /** Closes the database and drops memory-only objects. */
  /**
   * Audits the raw storage: reads every object store of the vault's database through the raw
   * IndexedDB API and reports, per store, sealed values, plaintext where a sealed value is
   * expected, and the key generations in use. `ok` is false if anything is exposed.
   */
  verifyEncryption(): Promise<EncryptionReport>;
  /**
   * How the keys are protected: `device` (non-extractable keys stored in IndexedDB) or `ephemeral`
   * (the browser refused to store CryptoKeys, as private modes do: keys live in memory only and the
   * vault's data does not outlive the page; never plaintext).
   */
  readonly securityLevel: SecurityLevel;
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
  let level: SecurityLevel = 'device';
  let blobs: BlobCodec;
  try {
    await db.open();
    const loaded = await loadOrCreateKeys(db, app, wantEncrypted);
    const { keys } = loaded;
    level = loaded.level;
    codec = keys === undefined ? createPlainCodec() : createEncryptedCodec(keys, app.version);
    blobs = createBlobCodec(keys, app.version);
  } catch (error) {
    db.close();
    throw mapStorageError(error, { vault: name, operation: 'open' });
  }
  const persisted = options.requestPersistence === false ? null : await requestPersistence();

  let open = true;
  const ensureOpen = () => {
    if (!open) throw closedError(name);
  };
  const encryptFiles = options.encryption?.files ?? wantEncrypted;
  const fileSync = createFileSync({ db, app, vault: name, config: options.sync, encrypt: encryptFiles });
  const files = fileSync.wrap(createFileStore({ ...options.files, db, app, vault: name, encrypt: encryptFiles, ensureOpen, onLocalWrite: fileSync.onLocalWrite }));
  const memory = new Map<string, MemoryTable>();
  const tables = new Map<string, VaultTable>();
  // The sync engine names the user; until then the guard lets every write through.
  let syncUser: () => VaultSyncApi['user'] = () => null;
  const guard = options.checkAccess === false ? undefined : createWriteGuard(app, () => syncUser());
  for (const entity of app.entities.values()) {
    if (entity.persistent) tables.set(entity.name, createEntityTable({ db, codec, entity, ensureOpen, ...(guard === undefined ? {} : { guard }) }));
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

  const syncApi = await createVaultSync({ name, app, db, codec, blobs, config: options.sync, ensureOpen, close: () => vault.close(), files: fileSync.hooks });
  syncUser = () => syncApi.user;
  // The sync engine names the user (vault.user); until then [%CurrentUser%] is empty.
  const host: LocalQueryHost = { app, table, user: () => syncApi.user };

  const vault: Vault = {
    name,
    app,
    encrypted: codec.encrypted,
    persisted,
    files,
    table,
    async query(entity, xpath, queryOptions) {
      ensureOpen();
      return prepareLocalQuery(host, entity, xpath, queryOptions).run();
    },
    live(entity, xpath, queryOptions) {
      const t = table(entity);
      const mem = memory.get(entity);
      if (xpath === undefined) return mem !== undefined ? mem.observe() : liveEntity(() => t.toArray());
      const prepared = prepareLocalQuery(host, entity, xpath, queryOptions);
      const persistent = prepared.entities.filter((e) => !memory.has(e));
      const memoryTables = prepared.entities.flatMap((e) => memory.get(e) ?? []);
      return liveLocalQuery(prepared, changeSignal(db, persistent, memoryTables));
    },
    outbox,
    securityLevel: level,
    async verifyEncryption() {
      ensureOpen();
      const factory = options.indexedDB ?? globalThis.indexedDB;
      return verifyEncryption(factory, name, codec.encrypted);
    },
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
    get user() {
      return syncApi.user;
    },
    sync: (o) => syncApi.sync(o),
    syncErrors: () => syncApi.syncErrors(),
    clearSyncError: (id) => syncApi.clearSyncError(id),
    on: (type, listener) => syncApi.on(type, listener),
    call: (action, input) => syncApi.call(action, input),
    signOut: (o) => syncApi.signOut(o),
  };
  return vault;
}

