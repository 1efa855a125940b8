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
  LockedError,
  BadCredentialsError,
  PrfUnsupportedError,
  isVaultError,
} from './errors.js';
export type { VaultErrorDetails } from './errors.js';
export { createEmitter } from './emitter.js';
export type { Emitter, Listener } from './emitter.js';
export type { ReencryptProgress, LockedEvent } from './reencrypt-progress.js';
