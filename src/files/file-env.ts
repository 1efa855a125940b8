import type { Dexie } from 'dexie';
import { isVaultError } from '../core/errors.js';
import { openFileHeader, type FileKeys, type FileStreamContext } from '../crypto/index.js';
import { keyringFileKeySource, type FileKeySource } from './file-key-source.js';

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
  /** The file keys for reading (LockedError 'locked' while the vault is locked). */
  keys(): Promise<FileKeys>;
  /** The file keys with a primary key (created on first use at the device level), for writing. */
  writeKeys(): Promise<FileKeys>;
  /** Drops cached keys (after a miss: another tab may have created a key). */
  reloadKeys(): void;
}

/**
 * A FileEnv over `db`. Keys come from `keySource`, by default the vault's own `_meta` and
 * `_keyring` (keyringFileKeySource). The env itself caches no keys, so a source backed by an
 * unlocked page's memory stops serving them the moment the vault locks.
 */
export function createFileEnv(
  db: Dexie,
  vault: string,
  staleWriteMs: number,
  now: () => number = Date.now,
  keySource: FileKeySource = keyringFileKeySource(db),
): FileEnv {
  return {
    db,
    vault,
    staleWriteMs,
    now,
    inFlight: new Set(),
    verifiedSizes: new Map(),
    keys: () => keySource.load(),
    writeKeys: () => keySource.ensure(),
    reloadKeys: () => keySource.reload?.(),
  };
}

/**
 * Opens a STREAM header, reloading the keys once when its key is not (yet) known here.
 * `sealedHeaderHash`: the row's `headerHash` (set when the FEK was re-wrapped by a rotation).
 */
export async function openHeader(env: FileEnv, header: Uint8Array, sealedHeaderHash?: Uint8Array): Promise<FileStreamContext> {
  try {
    return await openFileHeader(await env.keys(), header, undefined, sealedHeaderHash);
  } catch (error) {
    if (!isVaultError(error) || (error.code !== 'key-not-found' && error.code !== 'key-lost')) throw error;
    env.reloadKeys();
    return openFileHeader(await env.keys(), header, undefined, sealedHeaderHash);
  }
}

const MAX_CACHED_SIZES = 1024;

/** Remembers a verified size, keeping the cache bounded. */
export function rememberSize(env: FileEnv, fileId: string, size: number): void {
  if (env.verifiedSizes.size >= MAX_CACHED_SIZES) env.verifiedSizes.clear();
  env.verifiedSizes.set(fileId, size);
}
