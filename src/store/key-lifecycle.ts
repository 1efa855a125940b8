import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { KeyLostError, StorageError, ValidationError, VaultError } from '../core/errors.js';
import { deviceMaterial, type KeyMaterial, type KeyRow, type SlotRow } from './keyring-rows.js';
import { readKeyring, type RekeyState, type VaultMeta } from './keyring-store.js';
import { mergeMaterial, newGeneration } from './new-generation.js';
import { runRekey, sealedStores, type ReencryptProgress } from './rekey-job.js';
import { createSlot, createVmk, type PasskeyOptions, type ProtectionTarget, type UnlockCredential } from './unlock-slots.js';
import { createUnlockMethods, type UnlockMethods } from './unlock-methods.js';
import { commitKeyring } from './commit-keyring.js';
import { generationsInUse } from './generation-lock.js';
import { openSlot } from './unlock-slots.js';
import { unwrapMaterial } from './keyring-rows.js';
import type { VaultKeys } from './vault-keys.js';
import type { BlobCodec } from './blob-codec.js';
import type { RecordCodec } from './record-codec.js';

/** Options of operations that re-encrypt. */
export interface ReencryptOptions {
  onProgress?(progress: ReencryptProgress): void;
}

export interface KeyLifecycleDeps {
  name: string;
  db: Dexie;
  app: AppDefinition;
  keys: VaultKeys;
  codec: RecordCodec;
  blobs: BlobCodec;
  passkey: PasskeyOptions;
  batchSize: number;
  isOpen(): boolean;
  emitProgress(progress: ReencryptProgress): void;
  /** Re-wraps file headers away from retired file-key generations; resolves with how many remain. */
  rewrapFiles(retire: readonly number[]): Promise<number>;
  /** Tells other tabs to reload their keys. */
  broadcast(): void;
}

export interface KeyLifecycle extends UnlockMethods {
  enableEncryption(options?: ReencryptOptions): Promise<void>;
  /** The first step of enableEncryption: keys created and the migration recorded, not yet run. */
  beginEncryption(): Promise<void>;
  rotateKeys(options?: ReencryptOptions): Promise<void>;
  setProtection(target: ProtectionTarget, options?: ReencryptOptions): Promise<void>;
  unlock(credential?: UnlockCredential): Promise<void>;
  /** Starts (or joins) the pending re-encryption; resolves true when finished. */
  resume(): Promise<boolean>;
  reencryption(): ReencryptProgress | null;
}

const gens = (m: KeyMaterial) => [...m.records.keys()];
const fileGens = (m: KeyMaterial) => [...m.files.keys()];
const next = (list: number[]) => (list.length === 0 ? 1 : Math.max(...list) + 1);

async function countRows(db: Dexie, app: AppDefinition): Promise<number> {
  const counts = await Promise.all(sealedStores(app).map((s) => db.table(s.name).count()));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Key lifecycle of one open vault: migration from plaintext, rotation, protection levels, unlock
 * slots. Checklist:
 * - every keyring change is one readwrite transaction over `_meta` and `_keyring` that first
 *   checks the meta row is the one this change was computed from (epoch), so two tabs never
 *   install competing generations; the loser reloads and reports a StorageError `keys-changed`;
 * - key changes of one tab run one at a time (`exclusive`), so only other tabs can lose that race;
 * - new keys are installed in memory only after their transaction committed, and other tabs are
 *   told to reload;
 * - a re-encryption is persisted before it starts (meta.rekey) and resumed by any later open;
 * - old keys stay until the re-encryption's final transaction proves no row uses them.
 */
export function createKeyLifecycle(deps: KeyLifecycleDeps): KeyLifecycle {
  const { db, keys } = deps;
  let running: Promise<boolean> | undefined;
  // Key changes of this tab run one at a time: each computes its next state from `keys.meta`,
  // so two started together (the automatic migration on open and an app call) would otherwise
  // both commit from the same epoch and the second would fail with `keys-changed`.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = queue.then(run);
    queue = result.catch(() => undefined);
    return result;
  };
  let progress: ReencryptProgress | null = null;
  const watchers = new Set<(p: ReencryptProgress) => void>();

  const commit = (from: VaultMeta, meta: VaultMeta, put: (KeyRow | SlotRow)[], remove: string[] = []) => commitKeyring(db, deps.name, from, meta, put, remove);

  async function rekeyState(kind: RekeyState['kind'], retire: number[], retireFiles: number[]): Promise<RekeyState> {
    return { kind, retire, retireFiles, store: 0, done: 0, total: await countRows(db, deps.app), started: new Date().toISOString() };
  }

  function watch(options: ReencryptOptions | undefined): () => void {
    const listener = options?.onProgress;
    if (listener === undefined) return () => {};
    watchers.add(listener);
    return () => watchers.delete(listener);
  }

  async function finishJob(options: ReencryptOptions | undefined): Promise<void> {
    const stop = watch(options);
    try {
      const done = await lifecycle.resume();
      if (!done) {
        throw new VaultError('reencryption-paused', 'The re-encryption stopped before the end (vault closed or locked); it resumes on the next open', {
          vault: deps.name,
        });
      }
    } finally {
      stop();
    }
  }

  /** Waits for a running re-encryption so a new key change starts from a settled keyring. */
  async function settled(): Promise<void> {
    if (keys.meta.rekey !== undefined) await finishJob(undefined);
  }

  const lifecycle: KeyLifecycle = {
    async enableEncryption(options) {
      await lifecycle.beginEncryption();
      return finishJob(options);
    },

    beginEncryption() {
      return exclusive(async () => {
        if (keys.encrypted) return; // already encrypted, or migrating: join the job below
        const from = keys.meta;
        const material = safeMaterial(keys);
        const gen = next(material === undefined ? [] : gens(material));
        const hasFileKey = material !== undefined && material.files.size > 0;
        const fresh = await newGeneration(deps.app, from.dbId, gen, hasFileKey ? undefined : next([]));
        const meta: VaultMeta = {
          ...from,
          encrypted: true,
          level: 'device',
          primary: gen,
          epoch: (from.epoch ?? 0) + 1,
          rekey: await rekeyState('migrate', [], []),
        };
        try {
          await commit(from, meta, fresh.rows);
        } catch (error) {
          if ((error as { name?: string })?.name === 'DataCloneError' || (error as { inner?: { name?: string } })?.inner?.name === 'DataCloneError') {
            throw new StorageError('keys-not-storable', 'This browser cannot store CryptoKeys (private mode): encryption cannot be enabled here', {}, { cause: error });
          }
          throw error;
        }
        keys.install({ meta, slots: keys.slots, material: mergeMaterial(material ?? deviceMaterial([]), fresh.material) });
        deps.broadcast();
      });
    },

    async rotateKeys(options) {
      await exclusive(async () => {
        if (!keys.encrypted) throw new StorageError('not-encrypted', 'A plaintext vault has no keys to rotate', { vault: deps.name });
        if (keys.level === 'ephemeral') throw new StorageError('ephemeral-keys', 'Memory-only keys end with the page; there is nothing to rotate', {});
        await settled();
        const material = keys.material();
        const from = keys.meta;
        const gen = next(gens(material));
        const fileGen = next(fileGens(material));
        const fresh = await newGeneration(deps.app, from.dbId, gen, fileGen, keys.vmk());
        const meta: VaultMeta = {
          ...from,
          primary: gen,
          epoch: (from.epoch ?? 0) + 1,
          rekey: await rekeyState('rotate', gens(material), fileGens(material)),
        };
        await commit(from, meta, fresh.rows);
        keys.install({ meta, slots: keys.slots, material: mergeMaterial(material, fresh.material) });
        deps.broadcast();
      });
      return finishJob(options);
    },

    async setProtection(target, options) {
      await exclusive(async () => {
        if (keys.level === 'ephemeral') throw new StorageError('ephemeral-keys', 'This browser cannot store keys; a passphrase or passkey cannot protect them', {});
        if (keys.level === 'passphrase' || keys.level === 'passkey') {
          throw new ValidationError('already-protected', 'The vault is already protected; use addUnlockMethod / removeUnlockMethod', { level: keys.level });
        }
        await settled();
        const from = keys.meta;
        const material = keys.encrypted ? keys.material() : safeMaterial(keys) ?? deviceMaterial([]);
        // The extractable VMK exists only until the slot wrapped it; `vmk` is the non-extractable copy.
        const { slot, vmk } = await createSlot(target, 1, from.dbId, deps.passkey, await createVmk());
        const gen = next(gens(material));
        const fileGen = next(fileGens(material));
        const fresh = await newGeneration(deps.app, from.dbId, gen, fileGen, vmk);
        const meta: VaultMeta = {
          ...from,
          encrypted: true,
          level: target.level,
          primary: gen,
          epoch: (from.epoch ?? 0) + 1,
          rekey: await rekeyState(keys.encrypted ? 'protect' : 'migrate', gens(material), fileGens(material)),
        };
        await commit(from, meta, [slot, ...fresh.rows]);
        keys.install({ meta, slots: [slot], material: mergeMaterial(material, fresh.material), vmk });
        deps.broadcast();
      });
      return finishJob(options);
    },

    ...createUnlockMethods({ keys, passkey: deps.passkey, commit, exclusive, broadcast: deps.broadcast }),

    async unlock(credential) {
      if (!keys.encrypted) return;
      if (keys.level === 'ephemeral') {
        if (!keys.locked) return;
        // Memory-only keys cannot be brought back: resolving here would leave a vault that
        // claims to be unlocked and throws LockedError on every call.
        throw new KeyLostError('key-lost', 'The memory-only keys of this vault were dropped by lock(); what they sealed is gone. Reopen the vault to start afresh', {
          level: 'ephemeral',
        });
      }
      if (keys.level === 'device') {
        await keys.reload({ unlock: true });
        // A job stopped by lock() goes on now, as it does after a passphrase / passkey unlock.
        if (keys.meta.rekey !== undefined) void lifecycle.resume().catch(() => undefined);
        return;
      }
      if (credential === undefined) throw new ValidationError('invalid-credential', 'Unlock needs { passphrase } or { passkey: true }', { option: 'credential' });
      const read = await readKeyring(db);
      const meta = read.meta ?? keys.meta;
      const { vmk } = await openSlot(credential, read.slots, meta.dbId, deps.passkey);
      const material = await unwrapMaterial(read.rows, vmk, meta.dbId);
      keys.install({ meta, slots: read.slots, material, vmk });
      if (meta.rekey !== undefined) void lifecycle.resume().catch(() => undefined);
    },

    resume() {
      if (running !== undefined) return running;
      if (keys.meta.rekey === undefined) return Promise.resolve(true);
      if (keys.locked) return Promise.resolve(false);
      const job = withRekeyLock(deps.name, () =>
        keys.reload().then(() =>
          runRekey({
            db,
            app: deps.app,
            keys,
            codec: deps.codec,
            blobs: deps.blobs,
            batchSize: deps.batchSize,
            rewrapFiles: deps.rewrapFiles,
            shouldStop: () => !deps.isOpen() || keys.locked,
            othersDone: (retired) => othersDone(deps, retired),
            onProgress(p) {
              progress = p;
              deps.emitProgress(p);
              for (const w of watchers) w(p);
            },
            async onFinished() {
              // Rebuilt from the rows: the destroyed generations leave memory too.
              await keys.reload();
              deps.broadcast();
            },
          }),
        ),
      )
        .catch((error: unknown) => {
          // Closed or locked in the middle of a batch (not between two): the batch in flight is
          // lost and the job resumes later, exactly as after a pause between batches.
          if (!deps.isOpen() || keys.locked) return false;
          throw error;
        })
        .finally(() => {
          running = undefined;
          if (keys.meta.rekey === undefined) progress = null;
        });
      running = job;
      return job;
    },

    reencryption() {
      if (keys.meta.rekey === undefined) return null;
      return progress ?? { kind: keys.meta.rekey.kind, done: keys.meta.rekey.done, total: keys.meta.rekey.total };
    },
  };
  return lifecycle;
}

function safeMaterial(keys: VaultKeys): KeyMaterial | undefined {
  try {
    return keys.material();
  } catch {
    return undefined;
  }
}

/**
 * Waits (up to ~5 s, telling the other tabs to reload every second) until no other context holds
 * the generation lock of a retired generation.
 */
async function othersDone(deps: KeyLifecycleDeps, retired: readonly number[]): Promise<boolean> {
  for (let attempt = 0; attempt < 25; attempt++) {
    if (!(await generationsInUse(deps.name, retired))) return true;
    if (attempt % 5 === 0) deps.broadcast();
    if (!deps.isOpen()) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** One re-encryption per vault across tabs (Web Locks where the browser has them). */
async function withRekeyLock<T>(name: string, run: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (locks === undefined) return run();
  return locks.request(`offline-vault/${name}/rekey`, () => run()) as Promise<T>;
}
