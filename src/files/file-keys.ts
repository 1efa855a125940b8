import type { Dexie } from 'dexie';
import { KeyLostError, StorageError } from '../core/errors.js';
import { createFileKey, SUITE_STREAM_AES256_GCM, type FileKeys } from '../crypto/index.js';
import { KEYRING_STORE, META_STORE } from '../store/vault-database.js';
import { filesTable } from './file-format.js';

/** Keyring row names of file keys: `file:<keyId>` (the naming of store/keyring-store.ts). */
const FILE_KEY_PREFIX = 'file:';

interface KeyRow {
  name: string;
  key: CryptoKey;
}

/**
 * The vault's dbId and file keys, read from `_meta` and `_keyring` only (so a service worker can
 * do the same). `primary` is the newest generation; it is absent when no file key exists yet
 * (a vault that never encrypted a file).
 */
export async function loadFileKeys(db: Dexie): Promise<FileKeys> {
  const meta = (await db.table(META_STORE).get('vault')) as { dbId?: Uint8Array } | undefined;
  if (meta?.dbId === undefined) throw new StorageError('not-initialized', 'The vault database has no meta row', { store: META_STORE });
  // A handful of rows, read whole; never through an index (Safari CryptoKey issue).
  const rows = ((await db.table(KEYRING_STORE).toArray()) as KeyRow[]).filter((r) => r.name.startsWith(FILE_KEY_PREFIX));
  const all = new Map<number, CryptoKey>();
  for (const row of rows) all.set(Number(row.name.slice(FILE_KEY_PREFIX.length)), row.key);
  if (all.size === 0) return { dbId: meta.dbId, all };
  const keyId = Math.max(...all.keys());
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
 * files exist: their key is lost, and a new one would not bring them back (KeyLostError).
 */
export async function ensureFileKey(db: Dexie): Promise<FileKeys> {
  const keys = await loadFileKeys(db);
  if (keys.primary !== undefined) return keys;
  if (await hasEncryptedFiles(db)) {
    throw new KeyLostError('key-lost', 'The vault has encrypted files but its file key is gone', { missing: 'file' });
  }
  const fresh = await createFileKey(1);
  await db.transaction('rw', [KEYRING_STORE], async () => {
    const rows = (await db.table(KEYRING_STORE).toArray()) as KeyRow[];
    if (rows.some((r) => r.name.startsWith(FILE_KEY_PREFIX))) return; // another tab won the race
    await db.table(KEYRING_STORE).put({ name: `${FILE_KEY_PREFIX}${fresh.keyId}`, key: fresh.key });
  });
  return loadFileKeys(db);
}
