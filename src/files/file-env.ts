import type { Dexie } from 'dexie';
import { isVaultError } from '../core/errors.js';
import { openFileHeader, type FileKeys, type FileStreamContext } from '../crypto/index.js';
import { ensureFileKey, loadFileKeys } from './file-keys.js';

/** Shared state of one file store (one open vault, or one service worker). */
export interface FileEnv {
  db: Dexie;
  /** Vault name, for error details. */
  vault: string;
  /** Unfinished writes of other tabs older than this are collected (ms). */
  staleWriteMs: number;
  now(): number;
  /** fileIds this instance is writing: never collected, whatever their lease says. */
  inFlight: Set<string>;
  /** Verified sizes by fileId (file versions are immutable, so a verified size stays true). */
  verifiedSizes: Map<string, number>;
  /** The file keys as last loaded. */
  keys(): Promise<FileKeys>;
  /** The file keys with a primary key, created on first use. */
  writeKeys(): Promise<FileKeys>;
  /** Drops cached keys (after a miss: another tab may have created a key). */
  reloadKeys(): void;
}

/** A FileEnv over `db`, loading keys lazily from `_meta` and `_keyring`. */
export function createFileEnv(db: Dexie, vault: string, staleWriteMs: number, now: () => number = Date.now): FileEnv {
  let cached: Promise<FileKeys> | undefined;
  const env: FileEnv = {
    db,
    vault,
    staleWriteMs,
    now,
    inFlight: new Set(),
    verifiedSizes: new Map(),
    keys() {
      cached ??= loadFileKeys(db);
      cached.catch(() => {
        cached = undefined;
      });
      return cached;
    },
    async writeKeys() {
      const keys = await env.keys();
      if (keys.primary !== undefined) return keys;
      cached = ensureFileKey(db);
      return env.keys();
    },
    reloadKeys() {
      cached = undefined;
    },
  };
  return env;
}

/** Opens a STREAM header, reloading the keys once when its key is not (yet) known here. */
export async function openHeader(env: FileEnv, header: Uint8Array): Promise<FileStreamContext> {
  try {
    return await openFileHeader(await env.keys(), header);
  } catch (error) {
    if (!isVaultError(error) || (error.code !== 'key-not-found' && error.code !== 'key-lost')) throw error;
    env.reloadKeys();
    return openFileHeader(await env.keys(), header);
  }
}

const MAX_CACHED_SIZES = 1024;

/** Remembers a verified size, keeping the cache bounded. */
export function rememberSize(env: FileEnv, fileId: string, size: number): void {
  if (env.verifiedSizes.size >= MAX_CACHED_SIZES) env.verifiedSizes.clear();
  env.verifiedSizes.set(fileId, size);
}
