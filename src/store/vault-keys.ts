import type Dexie from 'dexie';
import { LockedError, StorageError } from '../core/errors.js';
import type { FileKeys, KeySet } from '../crypto/index.js';
import { deviceMaterial, toKeySet, unwrapMaterial, type KeyMaterial, type SlotRow } from './keyring-rows.js';
import { readKeyring, type LoadedKeyring, type SecurityLevel, type VaultMeta } from './keyring-store.js';

/**
 * The keys of an open vault as they are right now. Codecs ask it for the current KeySet on every
 * call, so a migration, rotation, level change, lock or unlock takes effect at once for every
 * table, the outbox and the sync bookkeeping.
 */
export interface VaultKeys {
  readonly dbId: Uint8Array;
  readonly meta: VaultMeta;
  /** Whether new writes are sealed. */
  readonly encrypted: boolean;
  readonly level: SecurityLevel;
  readonly locked: boolean;
  /** A migration from plaintext is running: plaintext rows are still legitimate on read. */
  readonly acceptsPlaintext: boolean;
  /** The unlock slots (passphrase / passkey levels). */
  readonly slots: readonly SlotRow[];
  /** The KeySet of the primary generation; LockedError when locked, StorageError when plaintext. */
  keySet(): KeySet;
  /** The file keys in memory, or undefined when locked or none exist. */
  fileKeys(): FileKeys | undefined;
  /** Everything in memory (lifecycle operations); LockedError when locked. */
  material(): KeyMaterial;
  /** The vault master key while a passphrase / passkey level is unlocked (wraps new generations). */
  vmk(): CryptoKey | undefined;
  /** Replaces the whole state (after a lifecycle step wrote it to the database). */
  install(next: { meta: VaultMeta; slots: readonly SlotRow[]; material: KeyMaterial | undefined; vmk?: CryptoKey | undefined }): void;
  /** Drops every key from memory. */
  lock(): void;
  /**
   * Re-reads meta, slots and key rows written by another tab, unwrapping new rows with the VMK
   * held. A locked vault stays locked unless `unlock` (level device: the stored keys are read).
   */
  reload(options?: { unlock?: boolean }): Promise<void>;
  /** Subscribes to state changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** The holder over what `loadOrCreateKeys` returned. */
export function createVaultKeys(db: Dexie, loaded: LoadedKeyring): VaultKeys {
  let meta = loaded.meta;
  let slots: readonly SlotRow[] = loaded.slots;
  let material = loaded.material;
  let vmk: CryptoKey | undefined;
  let keySet: KeySet | undefined;
  // Bumped by every install / lock: a reload that read before one of them must not apply.
  let version = 0;
  let locks = 0;
  const listeners = new Set<() => void>();

  const level = (): SecurityLevel => {
    if (!meta.encrypted) return 'none';
    if (meta.ephemeral === true) return 'ephemeral';
    return meta.level ?? 'device';
  };
  const rebuild = () => {
    keySet = material === undefined || !meta.encrypted ? undefined : toKeySet(meta.dbId, material, meta.primary ?? maxRecordGen(material));
  };
  const notify = () => {
    for (const l of listeners) l();
  };
  rebuild();

  const holder: VaultKeys = {
    get dbId() {
      return meta.dbId;
    },
    get meta() {
      return meta;
    },
    get encrypted() {
      return meta.encrypted;
    },
    get level() {
      return level();
    },
    get locked() {
      return meta.encrypted && material === undefined;
    },
    get acceptsPlaintext() {
      return meta.rekey?.kind === 'migrate';
    },
    get slots() {
      return slots;
    },
    keySet() {
      if (!meta.encrypted) throw new StorageError('not-encrypted', 'This vault stores plaintext', {});
      if (keySet === undefined) throw new LockedError('locked', 'The vault is locked: unlock it first', { level: level() });
      return keySet;
    },
    fileKeys() {
      if (material === undefined || material.files.size === 0) return undefined;
      const keyId = Math.max(...material.files.keys());
      return { dbId: meta.dbId, all: material.files, primary: { keyId, key: material.files.get(keyId)! } };
    },
    material() {
      if (material === undefined) throw new LockedError('locked', 'The vault is locked: unlock it first', { level: level() });
      return material;
    },
    vmk: () => vmk,
    install(next) {
      version++;
      meta = next.meta;
      slots = next.slots;
      material = next.material;
      if ('vmk' in next) vmk = next.vmk;
      rebuild();
      notify();
    },
    lock() {
      if (material === undefined && vmk === undefined) return;
      version++;
      locks++;
      material = undefined;
      vmk = undefined;
      rebuild();
      notify();
    },
    async reload(options) {
      // Checklist: the read and the unwrap are async; an install (a key change this tab just
      // committed) or a lock() meanwhile makes what was read stale, so read again; a locked
      // vault is never unlocked by a reload another tab triggered, nor by an unlock that a
      // lock() overtook.
      const locksAtStart = locks;
      for (let attempt = 0; attempt < 10; attempt++) {
        const at = version;
        const read = await readKeyring(db);
        if (read.meta === undefined) return; // deleted (sign-out elsewhere): leave the state as is
        const wasLocked = holder.locked;
        const nextMeta = read.meta.ephemeral === true ? { ...read.meta, primary: meta.primary ?? 1 } : read.meta;
        let nextMaterial: KeyMaterial | undefined;
        if (nextMeta.ephemeral === true) {
          nextMaterial = material; // memory-only keys never change from outside
        } else if ((nextMeta.level ?? 'device') === 'device') {
          const unlocking = options?.unlock === true && locks === locksAtStart;
          nextMaterial = wasLocked && !unlocking ? undefined : deviceMaterial(read.rows);
        } else if (!wasLocked && vmk !== undefined) {
          // Keys another tab added (a rotation there) unwrap with the VMK held here.
          nextMaterial = await unwrapMaterial(read.rows, vmk, nextMeta.dbId);
        }
        if (version !== at) continue;
        meta = nextMeta;
        slots = read.slots;
        material = nextMaterial;
        if (material === undefined) vmk = undefined;
        rebuild();
        notify();
        return;
      }
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return holder;
}

function maxRecordGen(material: KeyMaterial): number {
  return material.records.size === 0 ? 0 : Math.max(...material.records.keys());
}
