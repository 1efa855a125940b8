import type { AppDefinition, VaultObject } from '../app/index.js';
import type { ReencryptProgress } from '../core/reencrypt-progress.js';
import type { SyncConfig } from '../sync/transport.js';
import type { SyncedFileStore } from '../sync/file-sync.js';
import type { FileStoreOptions } from '../files/index.js';
import type { SecurityLevel } from './keyring-store.js';
import type { ReencryptOptions } from './key-lifecycle.js';
import type { UnlockMethod } from './unlock-methods.js';
import type { PasskeyOptions, ProtectionTarget, UnlockCredential } from './unlock-slots.js';
import type { UsageBudgetOptions } from './usage-budget.js';
import type { LocalQueryOptions } from './local-query.js';
import type { PendingChange } from './outbox.js';
import type { EncryptionReport } from './verify-encryption.js';
import type { IndexedDbDependencies } from './vault-database.js';
import type { MarkerStorage, StorageLoss } from './detect-storage-loss.js';
import type { VaultObservable, VaultTable } from './vault-table.js';
import type { VaultSyncApi } from './vault-sync.js';

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
