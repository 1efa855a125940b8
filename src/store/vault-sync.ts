import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { createEmitter, type Emitter, type Listener } from '../core/emitter.js';
import { UnsyncedChangesError } from '../core/errors.js';
import type { SyncUser } from '../core/sync-protocol.js';
import { createSyncEngine } from '../sync/sync-engine.js';
import { exportPending, type DiscardedChange } from '../sync/export-pending.js';
import type { SyncResult, SyncRunOptions, VaultEvents } from '../sync/sync-types.js';
import type { SyncConfig } from '../sync/transport.js';
import type { FileSyncHooks } from '../sync/file-sync.js';
import type { BlobCodec } from './blob-codec.js';
import { mapStorageError } from './map-storage-error.js';
import type { RecordCodec } from './record-codec.js';
import { createSyncStore } from './sync-store.js';
import type { SyncErrorEntry } from './sync-store-types.js';
import { OUTBOX_STORE } from './vault-database.js';

/** What `vault.sync*`, `vault.on`, `vault.call` and `vault.signOut` add to a vault. */
export interface VaultSyncApi {
  /** The user this vault belongs to (`{ id, roles }`); null until a server named one. */
  readonly user: SyncUser | null;
  /** Upload, then download (DESIGN.md §4). A call while a sync runs returns the running one's promise. */
  sync(options?: SyncRunOptions): Promise<SyncResult>;
  /** Rejected uploads with their content and the server's reason, oldest first. */
  syncErrors(): Promise<SyncErrorEntry[]>;
  /** Removes one sync error; resolves false when there was none with that id. */
  clearSyncError(id: string): Promise<boolean>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof VaultEvents>(type: K, listener: Listener<VaultEvents[K]>): () => void;
  /** Runs a server action (`POST <url>/v1/actions/<name>`); offline it fails at once with OfflineError. Nothing is stored. */
  call(name: string, input?: unknown): Promise<unknown>;
  /**
   * Deletes this vault's database (data, files, keys, sync state) and closes the vault. Throws
   * UnsyncedChangesError when the outbox is not empty, unless `discardUnsynced`; then it resolves
   * with the discarded changes (their content as the device had it). Works on a locked vault too
   * (a forgotten passphrase): its unsynced changes cannot be read then, and are discarded unread.
   */
  signOut(options?: { discardUnsynced?: boolean }): Promise<DiscardedChange[]>;
}

/** The sync side as open-vault uses it: the public API plus hooks the vault needs. */
export interface VaultSyncInternals extends VaultSyncApi {
  /** Reads the stored user again (after an unlock). */
  reloadUser(): Promise<void>;
}

/** Creates the sync side of an open vault. */
export async function createVaultSync(deps: {
  name: string;
  app: AppDefinition;
  db: Dexie;
  codec: RecordCodec;
  blobs: BlobCodec;
  config: SyncConfig | undefined;
  ensureOpen(): void;
  /** Throws when closed, but not when locked (sign-out must work on a locked vault). */
  ensureNotClosed?(): void;
  /** Whether the keys are out of memory: the outbox cannot be exported then. */
  locked?(): boolean;
  close(): void;
  files?: FileSyncHooks;
  events?: Emitter<VaultEvents>;
}): Promise<VaultSyncInternals> {
  const events = deps.events ?? createEmitter<VaultEvents>();
  const store = createSyncStore({ name: deps.name, db: deps.db, codec: deps.codec, blobs: deps.blobs, app: deps.app });
  const engine = await createSyncEngine({
    name: deps.name,
    app: deps.app,
    store,
    config: deps.config,
    events,
    ...(deps.files === undefined ? {} : { files: deps.files }),
  });
  return {
    get user() {
      return engine.user;
    },
    sync(options) {
      deps.ensureOpen();
      return engine.sync(options);
    },
    syncErrors() {
      deps.ensureOpen();
      return engine.syncErrors();
    },
    clearSyncError(id) {
      deps.ensureOpen();
      return engine.clearSyncError(id);
    },
    on: (type, listener) => events.on(type, listener),
    reloadUser: () => engine.reloadUser(),
    call(name, input) {
      deps.ensureOpen();
      return engine.call(name, input);
    },
    async signOut(options = {}) {
      (deps.ensureNotClosed ?? deps.ensureOpen)();
      await engine.idle();
      let discarded: DiscardedChange[] = [];
      if (deps.locked?.() === true) {
        // Locked (e.g. a forgotten passphrase): the outbox cannot be read, only counted; with
        // discardUnsynced the changes are lost unread, which is the point of erasing the device.
        const count = await deps.db.table(OUTBOX_STORE).count();
        if (count > 0 && options.discardUnsynced !== true) {
          throw new UnsyncedChangesError('unsynced-changes', 'The vault has changes that were not synchronized', { outboxRows: count, locked: true });
        }
      } else {
        discarded = await exportPending(store);
        if (discarded.length > 0 && options.discardUnsynced !== true) {
          throw new UnsyncedChangesError('unsynced-changes', 'The vault has changes that were not synchronized', { count: discarded.length });
        }
      }
      deps.close();
      events.clear();
      try {
        await deps.db.delete();
      } catch (error) {
        throw mapStorageError(error, { vault: deps.name, operation: 'sign-out' });
      }
      return discarded;
    },
  };
}
