export {
  VaultError,
  IntegrityError,
  KeyLostError,
  StorageError,
  ValidationError,
  AccessDeniedError,
  XPathSyntaxError,
  XPathTypeError,
  SyncError,
  UserMismatchError,
  UnsyncedChangesError,
  OfflineError,
  isVaultError,
} from './errors.js';
export type { VaultErrorDetails } from './errors.js';
export { createEmitter } from './emitter.js';
export type { Emitter, Listener } from './emitter.js';
