import { StorageError, isVaultError } from '../core/errors.js';

const CODES: Record<string, string> = {
  QuotaExceededError: 'quota-exceeded',
  VersionError: 'version',
  VersionChangeError: 'version',
  UpgradeError: 'version',
  BlockedError: 'blocked',
  DatabaseClosedError: 'closed',
  InvalidStateError: 'closed',
  ConstraintError: 'constraint',
  DataCloneError: 'data-clone',
  AbortError: 'aborted',
};

/** Wraps an IndexedDB/Dexie failure in a StorageError; SDK errors pass through unchanged. */
export function mapStorageError(error: unknown, details: Record<string, unknown> = {}): unknown {
  if (isVaultError(error)) return error;
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  // Dexie wraps the DOMException; the inner name is the precise one.
  const inner = (error as { inner?: { name?: string } } | null)?.inner?.name;
  const code = CODES[inner ?? ''] ?? CODES[name] ?? 'storage';
  return new StorageError(code, `IndexedDB operation failed (${inner ?? name})`, { ...details, cause: inner ?? name }, { cause: error });
}
