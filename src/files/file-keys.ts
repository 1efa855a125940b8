import type { Dexie } from 'dexie';
import { KeyLostError, LockedError, StorageError } from '../core/errors.js';
import { createFileKey, SUITE_STREAM_AES256_GCM, type FileKeys } from '../crypto/index.js';
import { KEYRING_STORE, META_STORE } from '../store/vault-database.js';
import { filesTable } from './file-format.js';

/** Keyring row names of file keys: `file:<keyId>` (the naming of store/keyring-rows.ts). */
const FILE_KEY_PREFIX = 'file:';

/** A `_keyring` row as stored: `key` at the device level, only `wrapped` at passphrase / passkey. */
interface KeyRow {
  name: string;
  key?: unknown;
}

/** The `_meta` fields this module reads. */
interface MetaFields {
  dbId?: Uint8Array;
  level?: string;
  primary?: number;
}

/** Levels at which `_keyring` holds wrapped keys only: the keys live in an unlocked page. */
const WRAPPED_LEVELS: ReadonlySet<string> = new Set(['passphrase', 'passkey']);

function lockedError(level: string): LockedError {
  return new LockedError('locked', 'The vault is locked: its file keys are only in an unlocked page', { level, missing: 'file' });
}

async function readMeta(db: Dexie): Promise<MetaFields & { dbId: Uint8Array }> {
  const meta = (await db.table(META_STORE).get('vault')) as MetaFields | undefined;
  if (meta?.dbId === undefined) throw new StorageError('not-initialized', 'The vault database has no meta row', { store: META_STORE });
  return meta as MetaFields & { dbId: Uint8Array };
}

function fileKeyId(name: unknown): number | undefined {
  if (typeof name !== 'string' || !name.startsWith(FILE_KEY_PREFIX)) return undefined;
  const id = Number(name.slice(FILE_KEY_PREFIX.length));
  return Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff ? id : undefined;
}

/**
 * The vault's dbId and file keys, read from `_meta` and `_keyring` only (so a service worker can
 * do the same). Rows without a CryptoKey `key` (wrapped keys) are skipped. `primary` is the
 * generation `_meta.primary` names when that file key exists, else the newest; it is absent when
 * no file key exists yet (a vault that never encrypted a file). At the passphrase / passkey levels
 * without a usable key this throws LockedError 'locked': the keys must come from an unlocked page.
 */
export async function loadFileKeys(db: Dexie): Promise<FileKeys> {
  const meta = await readMeta(db);
  // A handful of rows, read whole; never through an index (Safari CryptoKey issue).
  const rows = (await db.table(KEYRING_STORE).toArray()) as KeyRow[];
  const all = new Map<number, CryptoKey>();
  for (const row of rows) {
    const id = fileKeyId(row.name);
    if (id !== undefined && row.key instanceof CryptoKey) all.set(id, row.key);
  }
  if (all.size === 0) {
    if (meta.level !== undefined && WRAPPED_LEVELS.has(meta.level)) throw lockedError(meta.level);
    return { dbId: meta.dbId, all };
  }
  const keyId = meta.primary !== undefined && all.has(meta.primary) ? meta.primary : Math.max(...all.keys());
  return { dbId: meta.dbId, all, primary: { keyId, key: all.get(keyId)! } };
}

async function hasEncryptedFiles(db: Dexie): Promise<boolean> {
  const found = await filesTable(db)
    .filter((row) => row.header instanceof Uint8Array && row.header[1] === SUITE_STREAM_AES256_GCM)
    .first();
  return found !== undefined;
}

/**
 * The file keys with a primary key, creating `file:1` (non-extractable) when the vault has none,
 * e.g. an unencrypted database that turns file encryption on. Never creates a key while encrypted
 * files exist: their key is lost, and a new one would not bring them back (KeyLostError). Never
 * creates one at the passphrase / passkey levels either (LockedError 'locked'): a stored
 * non-extractable key there would bypass the unlock.
 */
export async function ensureFileKey(db: Dexie): Promise<FileKeys> {
  const keys = await loadFileKeys(db);
  if (keys.primary !== undefined) return keys;
  if (await hasEncryptedFiles(db)) {
    throw new KeyLostError('key-lost', 'The vault has encrypted files but its file key is gone', { missing: 'file' });
  }
  const fresh = await createFileKey(1);
  await db.transaction('rw', [META_STORE, KEYRING_STORE], async () => {
    // Re-checked in the writing transaction: another tab may have raised the level meanwhile.
    const meta = await readMeta(db);
    if (meta.level !== undefined && WRAPPED_LEVELS.has(meta.level)) throw lockedError(meta.level);
    const rows = (await db.table(KEYRING_STORE).toArray()) as KeyRow[];
    if (rows.some((r) => fileKeyId(r.name) !== undefined)) return; // another tab won the race
    await db.table(KEYRING_STORE).put({ name: `${FILE_KEY_PREFIX}${fresh.keyId}`, key: fresh.key });
  });
  return loadFileKeys(db);
}
