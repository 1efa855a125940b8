import type { Collection, Dexie, Table } from 'dexie';
import { IntegrityError } from '../core/errors.js';
import { FILE_FORMAT, FILE_ID_LENGTH, LOG2_SEGMENT_SIZE, SUITE_STREAM_AES256_GCM } from '../crypto/index.js';
import { FILE_CHUNKS_STORE, FILES_STORE } from '../store/vault-database.js';

/**
 * Raw IndexedDB layout of file contents (readable with IndexedDB alone, e.g. in a service worker):
 *
 * `_files`, key = object id:   FileRow (committed versions only)
 * `_fileChunks`, outbound key [fileId hex, index]:
 *   index >= 0   `{ c: Uint8Array }`   segment `index`: STREAM ciphertext (|pt| + 16) or plain bytes
 *   index == -1  PendingMarker         a write in progress (deleted in the commit transaction)
 *
 * The row's `header` says how the chunks are stored (self-describing):
 *   encrypted  91-byte STREAM header of crypto.md §3.6 (fmt 0x01, suite 0x02)
 *   plain      20 bytes: fmt 0x01 ‖ suite 0x00 ‖ log2SegSize 16 ‖ reserved 0 ‖ fileId(16)
 */

export const SUITE_PLAIN = 0x00;
export const PLAIN_HEADER_LENGTH = 4 + FILE_ID_LENGTH;
/** Index of the pending-write marker in `_fileChunks`. */
export const MARKER_INDEX = -1;
/** Segments per write transaction (1 MiB of plaintext). */
export const WRITE_BATCH = 16;
/** Segments fetched per read transaction: bounds read memory to a few segments. */
export const READ_BATCH = 8;

/** One committed file version. */
export interface FileRow {
  id: string;
  entity: string;
  /** Hex of the 16-byte random fileId; new for every version. */
  fileId: string;
  header: Uint8Array;
  /**
   * Encrypted files whose FEK was re-wrapped under a newer file key (rotation): SHA-256 of the
   * header the segments and meta were sealed under, which their AAD keeps binding (crypto.md
   * §3.6 H). Absent while `header` is that original header.
   */
  headerHash?: Uint8Array;
  /** Encrypted files: `{ contentType }` sealed under the FEK (sealFileMeta). */
  meta?: Uint8Array;
  /** Plain files only. */
  contentType?: string;
  size: number;
  state: 'committed';
  /** 1 for the first version, +1 per overwrite. */
  version: number;
}

/** Stored at [fileId, -1] while a version is being written. */
export interface PendingMarker {
  state: 'pending';
  id: string;
  entity: string;
  /** ms timestamp, renewed with every batch; a stale marker is collected. */
  lease: number;
}

export type ChunkKey = [string, number];

/** The key of chunk `index` of `fileId`. */
export function chunkKey(fileId: string, index: number): ChunkKey {
  return [fileId, index];
}

/** Every chunk of a file version, marker included. */
export function allChunks(db: Dexie, fileId: string): Collection {
  return db.table(FILE_CHUNKS_STORE).where(':id').between([fileId, -Infinity], [fileId, Infinity], true, true);
}

/** Chunks of a file version from segment `from` on. */
export function chunksFrom(db: Dexie, fileId: string, from: number): Collection {
  return db.table(FILE_CHUNKS_STORE).where(':id').between([fileId, from], [fileId, Infinity], true, true);
}

export const filesTable = (db: Dexie): Table<FileRow, string> => db.table(FILES_STORE);
export const chunksTable = (db: Dexie): Table<unknown, ChunkKey> => db.table(FILE_CHUNKS_STORE);

/** The 20-byte plain-file header for a 16-byte `fileId`. */
export function createPlainHeader(fileId: Uint8Array): Uint8Array {
  const h = new Uint8Array(PLAIN_HEADER_LENGTH);
  h.set([FILE_FORMAT, SUITE_PLAIN, LOG2_SEGMENT_SIZE, 0]);
  h.set(fileId, 4);
  return h;
}

/** 'stream' or 'plain' from a stored header; anything else is 'unsupported-format'. */
export function headerKind(header: unknown): 'stream' | 'plain' {
  if (header instanceof Uint8Array && header[0] === FILE_FORMAT) {
    if (header[1] === SUITE_STREAM_AES256_GCM) return 'stream'; // fully checked by parseFileHeader
    if (header[1] === SUITE_PLAIN && header.length === PLAIN_HEADER_LENGTH && header[2] === LOG2_SEGMENT_SIZE && header[3] === 0) return 'plain';
  }
  const h = header instanceof Uint8Array ? header : new Uint8Array(0);
  throw new IntegrityError('unsupported-format', 'Unsupported file header', { fmt: h[0], suite: h[1] });
}

/** Number of segments a file of `size` bytes has (an empty file has one, empty, final segment). */
export function segmentCount(size: number, segmentSize: number): number {
  return Math.max(1, Math.ceil(size / segmentSize));
}
