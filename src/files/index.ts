export { createFileStore, DEFAULT_MAX_FILE_SIZE, DEFAULT_STALE_WRITE_MS } from './file-store.js';
export type { FileStore, FileStoreOptions, FileStoreContext, FileInfo } from './file-store.js';
export type { FileSource } from './segment-source.js';
export type { ByteRange } from './read-file.js';
export type { EncryptExistingOptions, EncryptProgress } from './encrypt-existing.js';
export { ENCRYPT_CURSOR } from './encrypt-existing.js';
export type { FileRow, PendingMarker } from './file-format.js';
