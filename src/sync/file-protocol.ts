/*
 * Wire contract of file sync (docs/protocol.md §7, protocol version 1, additive routes). Shared by
 * the client (src/sync) and the reference server (src/server); types and constants only.
 */

/** Route of an object's file contents: `/v1/files/<entity>/<id>` (both parts URI-encoded). */
export function fileRoute(entity: string, id: string): string {
  return `/v1/files/${encodeURIComponent(entity)}/${encodeURIComponent(id)}`;
}

/** Default file limits of the reference server (`GET /v1/session` reports the ones in force as `files`). */
export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxFileSize: 100 * 1024 * 1024,
  chunkSize: 1024 * 1024,
  perEntity: {},
};

/** Size limits of file contents. */
export interface FileLimits {
  /** Largest file in bytes for entities not in `perEntity` (413 `file-too-large`). */
  readonly maxFileSize: number;
  /** Bytes per upload chunk (every chunk but the last has exactly this size). */
  readonly chunkSize: number;
  /** Per-entity overrides of `maxFileSize`. */
  readonly perEntity: Readonly<Record<string, number>>;
}

/** The size limit of `entity` under `limits`. */
export function maxFileSizeOf(limits: FileLimits, entity: string): number {
  return Object.hasOwn(limits.perEntity, entity) ? limits.perEntity[entity]! : limits.maxFileSize;
}

/** Number of chunks of a file of `size` bytes (an empty file has one empty chunk). */
export function chunkCountOf(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

/** `POST /v1/files/<entity>/<id>/uploads` body. */
export interface FileUploadStart {
  readonly protocol: number;
  readonly size: number;
  readonly contentType: string;
}

/** State of an upload (answer of start and of `GET .../uploads/<uploadId>`). */
export interface FileUploadState {
  readonly protocol: number;
  readonly uploadId: string;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  /** Indexes of the chunks the server holds, ascending. */
  readonly received: readonly number[];
  /** Set once committed: the content version it produced. */
  readonly version?: string;
}

/** `POST .../uploads/<uploadId>/commit` answer. */
export interface FileCommitResult {
  readonly protocol: number;
  /** The new content version of the object's file (opaque, compare for equality). */
  readonly version: string;
  readonly size: number;
}

/** What a download upsert of a file entity carries about the object's contents (`file`, optional). */
export interface FileContentInfo {
  readonly version: string;
  readonly size: number;
  readonly contentType: string;
}
