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
  isVaultError,
} from './errors.js';
export type { VaultErrorDetails } from './errors.js';
