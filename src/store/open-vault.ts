import type { AppDefinition, VaultObject } from '../app/index.js';
import { ValidationError } from '../core/errors.js';
import { changeSignal } from './change-signal.js';
import { createEntityTable, liveEntity } from './entity-table.js';
import { loadOrCreateKeys, type SecurityLevel } from './keyring-store.js';
import { createVaultKeys, type VaultKeys } from './vault-keys.js';
import { createVaultBlobCodec, createVaultCodec } from './vault-codecs.js';
import { createUsageBudget, type UsageBudgetOptions } from './usage-budget.js';
import { createKeyLifecycle, type KeyLifecycle, type ReencryptOptions } from './key-lifecycle.js';
import type { UnlockMethod } from './unlock-methods.js';
import type { PasskeyOptions, ProtectionTarget, UnlockCredential } from './unlock-slots.js';
import { createIdleLock } from './idle-lock.js';
import { keyChannel } from './key-channel.js';
import { createGenerationLock } from './generation-lock.js';
import { createEmitter } from '../core/emitter.js';
import { LockedError } from '../core/errors.js';
import type { ReencryptProgress } from '../core/reencrypt-progress.js';
import type { VaultEvents } from '../sync/sync-types.js';
import { mapStorageError } from './map-storage-error.js';
import { closedError, createMemoryTable, type MemoryTable } from './memory-table.js';
import { liveLocalQuery } from './live-local-query.js';
import { prepareLocalQuery, type LocalQueryHost, type LocalQueryOptions } from './local-query.js';
import { listPendingChanges, type PendingChange } from './outbox.js';
import { requestPersistence } from './request-persistence.js';
import { verifyEncryption, type EncryptionReport } from './verify-encryption.js';
import { createWriteGuard } from './write-guard.js';
import { createVaultDatabase, META_STORE, OUTBOX_STORE, SYNC_ERRORS_STORE, SYNC_STATE_STORE, type IndexedDbDependencies } from './vault-database.js';
import { keyGuardMiddleware } from './key-guard-middleware.js';
import { createFileStore, fileKeyIdsInUse, forgetFileKeysInWorker, rewrapFileHeaders, serveFileKeysToWorker, type FileStore, type FileStoreOptions } from '../files/index.js';
import { vaultFileKeySource } from './vault-file-keys.js';
import { defaultMarkerStorage, detectStorageLoss, markerKey, type MarkerStorage, type StorageLoss } from './detect-storage-loss.js';

import type { VaultObservable, VaultTable } from './vault-table.js';
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
  /**
   * Credential for a vault protected by a passphrase or passkey. Without it such a vault opens
   * locked: every data call throws LockedError until `vault.unlock(...)`.
   */
  unlock?: UnlockCredential;
  /** Lock (drop every key from memory) after this long without a call on the vault. */
  lockAfterIdleMs?: number;
  /** WebAuthn settings for passkey protection (relying party id and names, injectable API). */
  passkey?: PasskeyOptions;
  /** Record-key usage budget: rotate after `rotateAt` seals (default 2^31), leased `leaseSize` at a time. */
  rotation?: UsageBudgetOptions;
  /** Rows per re-encryption transaction (migration, rotation, level change): smaller keeps app reads faster during it, larger finishes sooner. @default 100 */
  reencryptBatchSize?: number;
  /**
   * Where the vault leaves a marker of its database id to detect eviction on the next open
   * (default: localStorage where it exists; null: none).
   */
  markerStorage?: MarkerStorage | null;
}

/** An open vault: the app's objects on this device, encrypted at rest. */
export interface Vault extends VaultSyncApi {
  readonly name: string;
  readonly app: AppDefinition;
  /** Whether new records, indexes and the outbox are encrypted at rest (true from the start of a migration). */
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
   * How the keys are protected: `device` (non-extractable keys stored in IndexedDB), `passphrase`
   * or `passkey` (keys stored only wrapped; unlocked into memory), `ephemeral` (the browser refused
   * to store CryptoKeys, as private modes do: memory-only keys, never plaintext) or `none`
   * (a plaintext vault).
   */
  readonly securityLevel: SecurityLevel;
  /** True while the keys are not in memory: data calls throw LockedError. */
  readonly locked: boolean;
  /** Drops every key from memory; calls throw LockedError until `unlock`. */
  lock(): void;
  /** Changes `lockAfterIdleMs` for this vault from now on (undefined: never lock when idle). */
  setLockAfterIdle(ms: number | undefined): void;
  /** Unlocks with a passphrase or passkey (no credential needed at level `device`). Wrong: BadCredentialsError. */
  unlock(credential?: UnlockCredential): Promise<void>;
  /**
   * Encrypts a plaintext vault in place, in resumable batches, keeping the outbox and the user;
   * the app keeps reading and writing meanwhile. Resolves when every row is sealed.
   */
  enableEncryption(options?: ReencryptOptions): Promise<void>;
  /** New key generation now; older rows re-encrypted in the background; old keys destroyed when unused. */
  rotateKeys(options?: ReencryptOptions): Promise<void>;
  /** Moves a `device` (or plaintext) vault to `passphrase` or `passkey` protection, re-encrypting under fresh wrapped keys. */
  setProtection(target: ProtectionTarget, options?: ReencryptOptions): Promise<void>;
  /** Adds a passphrase or passkey that unlocks the same keys (needs a current credential). */
  addUnlockMethod(target: ProtectionTarget, options: { current: UnlockCredential }): Promise<UnlockMethod>;
  /** Removes an unlock method (never the last one). */
  removeUnlockMethod(id: number, options: { current: UnlockCredential }): Promise<void>;
  /** Rewraps the keys under a new passphrase; no data envelope changes. */
  changePassphrase(options: { current: string; next: string }): Promise<void>;
  /** The unlock methods (passphrase / passkey slots), without secrets. */
  unlockMethods(): UnlockMethod[];
  /** The re-encryption in progress (also resumed from an earlier page), or null. */
  reencryption(): ReencryptProgress | null;
  /**
   * Storage found missing at open: the database evicted or replaced since the last open on this
   * origin, or an entity's rows gone while its sync bookkeeping remains. Empty when all is well.
   */
  readonly storageLoss: readonly StorageLoss[];
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
  db.use(keyGuardMiddleware(new Set([OUTBOX_STORE, SYNC_ERRORS_STORE, SYNC_STATE_STORE, ...[...app.entities.values()].filter((e) => e.persistent).map((e) => e.name)])));
  let keys: VaultKeys;
  let storageLoss: StorageLoss[];
  const markers = options.markerStorage === null ? undefined : (options.markerStorage ?? defaultMarkerStorage());
  try {
    await db.open();
    const existed = (await db.table(META_STORE).get('vault')) !== undefined;
    keys = createVaultKeys(db, await loadOrCreateKeys(db, app, wantEncrypted));
    storageLoss = await detectStorageLoss(db, app, name, keys.dbId, !existed, markers);
  } catch (error) {
    db.close();
    throw mapStorageError(error, { vault: name, operation: 'open' });
  }
  const events = createEmitter<VaultEvents>();
  let lifecycle: KeyLifecycle | undefined;
  const budget = createUsageBudget(db, options.rotation ?? {}, (gen) => {
    // Budget nearly used: rotate in the background (new writes move to the new key at once).
    if (keys.meta.primary === gen && keys.meta.rekey === undefined) void lifecycle?.rotateKeys().catch(() => undefined);
  }, () => keys.level === 'ephemeral');
  const codec = createVaultCodec(keys, app.version, budget);
  const blobs = createVaultBlobCodec(keys, app.version, budget);
  const persisted = options.requestPersistence === false ? null : await requestPersistence();

  let open = true;
  const idle = createIdleLock(options.lockAfterIdleMs, () => {
    if (!keys.locked && keys.encrypted && keys.level !== 'ephemeral') {
      keys.lock();
      forgetFileKeysInWorker(name);
      events.emit('locked', { reason: 'idle' });
    }
  });
  const ensureOpen = () => {
    if (!open) throw closedError(name);
    if (keys.locked) throw new LockedError('locked', 'The vault is locked: unlock it first', { vault: name, level: keys.level });
    idle.touch();
  };
  // Files follow the database (also once a migration turned it on) unless told otherwise.
  const encryptFiles = () => options.encryption?.files ?? keys.encrypted;
  const keySource = vaultFileKeySource(db, keys);
  const fileSync = createFileSync({ db, app, vault: name, config: options.sync, encrypt: encryptFiles, keySource });
  const files = fileSync.wrap(
    createFileStore({ ...options.files, db, app, vault: name, encrypt: encryptFiles, ensureOpen, onLocalWrite: fileSync.onLocalWrite, keySource }),
  );
  // The service worker asks open pages for file keys at the passphrase / passkey levels.
  const stopServingKeys = serveFileKeysToWorker(name, () => (keys.locked ? undefined : keys.fileKeys()));
  const memory = new Map<string, MemoryTable>();
  const tables = new Map<string, VaultTable>();
  // The sync engine names the user; until then the guard lets every write through.
  let syncUser: () => VaultSyncApi['user'] = () => null;
  const guard = options.checkAccess === false ? undefined : createWriteGuard(app, () => syncUser());
  for (const entity of app.entities.values()) {
    if (entity.persistent) {
      tables.set(entity.name, createEntityTable({ db, codec, entity, ensureOpen, refreshKeys: () => keys.reload(), ...(guard === undefined ? {} : { guard }) }));
    }
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

  const syncApi = await createVaultSync({
    name,
    app,
    db,
    codec,
    blobs,
    config: options.sync,
    ensureOpen,
    ensureNotClosed: () => {
      if (!open) throw closedError(name);
    },
    locked: () => keys.locked,
    close: () => vault.close(),
    files: fileSync.hooks,
    events,
  });
  const channel = keyChannel(name, () => void keys.reload().catch(() => undefined));
  // Tells re-encryptions in other tabs which generation this one seals with (0: plaintext).
  const generation = createGenerationLock(name);
  const holdGeneration = () => generation.hold(keys.locked ? undefined : keys.encrypted ? keys.keySet().record.primary.keyId : 0);
  holdGeneration();
  keys.onChange(holdGeneration);
  lifecycle = createKeyLifecycle({
    name,
    db,
    app,
    keys,
    codec,
    blobs,
    passkey: options.passkey ?? {},
    batchSize: options.reencryptBatchSize ?? 100,
    isOpen: () => open,
    emitProgress: (p) => events.emit('reencrypt-progress', p),
    async rewrapFiles(retire) {
      const fileKeys = keys.fileKeys();
      if (retire.length === 0 || fileKeys === undefined) return 0;
      await rewrapFileHeaders(db, fileKeys);
      const inUse = await fileKeyIdsInUse(db);
      return retire.reduce((n, gen) => n + (inUse.get(gen) ?? 0), 0);
    },
    broadcast: () => channel.post(),
  });
  const life = lifecycle;
  syncUser = () => syncApi.user;
  // The sync engine names the user (vault.user); until then [%CurrentUser%] is empty.
  const host: LocalQueryHost = { app, table, user: () => syncApi.user };

  const vault: Vault = {
    name,
    app,
    get encrypted() {
      return keys.encrypted;
    },
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
    get securityLevel() {
      return keys.level;
    },
    get locked() {
      return keys.locked;
    },
    lock() {
      // Memory-only keys cannot come back: locking an ephemeral vault would destroy its data.
      if (keys.locked || !keys.encrypted || keys.level === 'ephemeral') return;
      keys.lock();
      forgetFileKeysInWorker(name);
      events.emit('locked', { reason: 'lock' });
    },
    setLockAfterIdle(ms) {
      idle.set(ms);
    },
    async unlock(credential) {
      if (!open) throw closedError(name);
      await life.unlock(credential);
      await syncApi.reloadUser();
      idle.touch();
    },
    enableEncryption: (o) => guardedLifecycle(() => life.enableEncryption(o)),
    rotateKeys: (o) => guardedLifecycle(() => life.rotateKeys(o)),
    setProtection: (target, o) => guardedLifecycle(() => life.setProtection(target, o)),
    addUnlockMethod: (target, o) => guardedLifecycle(() => life.addUnlockMethod(target, o)),
    removeUnlockMethod: (id, o) => guardedLifecycle(() => life.removeUnlockMethod(id, o)),
    changePassphrase: (o) => guardedLifecycle(() => life.changePassphrase(o)),
    unlockMethods: () => life.unlockMethods(),
    reencryption: () => life.reencryption(),
    storageLoss,
    async verifyEncryption() {
      ensureOpen();
      const factory = options.indexedDB ?? globalThis.indexedDB;
      return verifyEncryption(factory, name, keys.encrypted);
    },
    async pendingChanges() {
      const changes = await outbox();
      return new Set(changes.map((c) => `${c.entity}\u0000${c.id}`)).size;
    },
    close() {
      if (!open) return;
      open = false;
      idle.stop();
      channel.close();
      generation.release();
      stopServingKeys();
      if (keys.level === 'passphrase' || keys.level === 'passkey') forgetFileKeysInWorker(name);
      for (const m of memory.values()) m.clear();
      db.close();
    },
    get user() {
      return syncApi.user;
    },
    sync: (o) => syncApi.sync(o),
    syncErrors: () => syncApi.syncErrors(),
    clearSyncError: (id) => syncApi.clearSyncError(id),
    on: (type, listener) => events.on(type, listener),
    call: (action, input) => syncApi.call(action, input),
    async signOut(o) {
      const discarded = await syncApi.signOut(o);
      markers?.removeItem(markerKey(name));
      return discarded;
    },
  };
  if (options.unlock !== undefined && keys.locked) {
    try {
      await life.unlock(options.unlock);
      await syncApi.reloadUser();
    } catch (error) {
      vault.close();
      throw error;
    }
  }
  // A plaintext vault asked for encryption migrates in place: its keys exist and new writes are
  // sealed before openVault resolves; the rows already there move in the background. An
  // interrupted job resumes.
  if (!keys.encrypted && wantEncrypted) {
    try {
      await life.beginEncryption();
    } catch (error) {
      vault.close();
      throw mapStorageError(error, { vault: name, operation: 'open' });
    }
  }
  if (keys.meta.rekey !== undefined) void life.resume().catch(() => undefined);

  async function guardedLifecycle<T>(run: () => Promise<T>): Promise<T> {
    if (!open) throw closedError(name);
    try {
      return await run();
    } catch (error) {
      throw mapStorageError(error, { vault: name, operation: 'keys' });
    }
  }
  return vault;
}

