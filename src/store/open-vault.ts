import { ValidationError } from '../core/errors.js';
import { changeSignal } from './change-signal.js';
import { createEntityTable, liveEntity } from './entity-table.js';
import { loadOrCreateKeys } from './keyring-store.js';
import { createVaultKeys, type VaultKeys } from './vault-keys.js';
import { createVaultBlobCodec, createVaultCodec } from './vault-codecs.js';
import { createUsageBudget } from './usage-budget.js';
import { createKeyLifecycle, type KeyLifecycle } from './key-lifecycle.js';
import { createIdleLock } from './idle-lock.js';
import { keyChannel } from './key-channel.js';
import { createGenerationLock } from './generation-lock.js';
import { createEmitter } from '../core/emitter.js';
import { LockedError } from '../core/errors.js';
import type { VaultEvents } from '../sync/sync-types.js';
import { mapStorageError } from './map-storage-error.js';
import { closedError, createMemoryTable, type MemoryTable } from './memory-table.js';
import { liveLocalQuery } from './live-local-query.js';
import { prepareLocalQuery, type LocalQueryHost } from './local-query.js';
import { listPendingChanges, type PendingChange } from './outbox.js';
import { requestPersistence } from './request-persistence.js';
import { verifyEncryption } from './verify-encryption.js';
import { createWriteGuard } from './write-guard.js';
import { createVaultDatabase, META_STORE, OUTBOX_STORE, SYNC_ERRORS_STORE, SYNC_STATE_STORE } from './vault-database.js';
import { keyGuardMiddleware } from './key-guard-middleware.js';
import { createFileStore, fileKeyIdsInUse, forgetFileKeysInWorker, rewrapFileHeaders, serveFileKeysToWorker } from '../files/index.js';
import { vaultFileKeySource } from './vault-file-keys.js';
import { defaultMarkerStorage, detectStorageLoss, markerKey, type StorageLoss } from './detect-storage-loss.js';
import type { VaultTable } from './vault-table.js';
import { createVaultSync, type VaultSyncApi } from './vault-sync.js';
import type { OpenVaultOptions, Vault } from './vault-api.js';
import { createFileSync } from '../sync/file-sync.js';

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

