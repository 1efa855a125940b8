/**
 * Every error the SDK throws is a `VaultError` with a stable `code` and structured `details`.
 * Messages and details never contain plaintext values, keys, passphrases or tokens: they name
 * entities, ids, attributes and rules only.
 */
export type VaultErrorDetails = Readonly<Record<string, unknown>>;

/** Base class of every error thrown by offline-vault. Branch on `code` or on the subclass. */
export class VaultError extends Error {
  override name = 'VaultError';
  readonly code: string;
  readonly details: VaultErrorDetails;
  readonly isVaultError = true;

  constructor(code: string, message: string, details: VaultErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = details;
  }

  /** A plain object that survives `postMessage` and JSON (the prototype does not). */
  toJSON(): { name: string; code: string; message: string; details: VaultErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Ciphertext, envelope or stored record failed verification (tampered, moved, truncated). */
export class IntegrityError extends VaultError {
  override name = 'IntegrityError';
}

/** The database holds ciphertext but its keys are gone: never papered over with new keys. */
export class KeyLostError extends VaultError {
  override name = 'KeyLostError';
}

/** IndexedDB failed: quota, blocked upgrade, version mismatch, write conflict, closed database. */
export class StorageError extends VaultError {
  override name = 'StorageError';
}

/** A value or definition does not satisfy the app definition. */
export class ValidationError extends VaultError {
  override name = 'ValidationError';
}

/** The current user may not perform the operation. */
export class AccessDeniedError extends VaultError {
  override name = 'AccessDeniedError';
}

/** An XPath constraint could not be parsed. `details.position` is the 0-based offset. */
export class XPathSyntaxError extends VaultError {
  override name = 'XPathSyntaxError';
  get position(): number {
    return this.details['position'] as number;
  }
  get expected(): readonly string[] {
    return (this.details['expected'] as string[] | undefined) ?? [];
  }
  get found(): string {
    return this.details['found'] as string;
  }
}

/** An XPath constraint parsed but does not fit the app definition (unknown member, wrong types). */
export class XPathTypeError extends VaultError {
  override name = 'XPathTypeError';
}

/** Synchronization with the server failed. */
export class SyncError extends VaultError {
  override name = 'SyncError';
}

/** A sync authenticated as another user than the one this vault belongs to; nothing was changed. */
export class UserMismatchError extends SyncError {
  override name = 'UserMismatchError';
}

/** The operation would lose local changes that were not synchronized yet (e.g. `signOut()`). */
export class UnsyncedChangesError extends VaultError {
  override name = 'UnsyncedChangesError';
}

/** The operation needs the server and the device is offline; it failed at once and changed nothing. */
export class OfflineError extends SyncError {
  override name = 'OfflineError';
}

/** The vault is locked (`vault.lock()`, idle timeout, or opened at a passphrase / passkey level): unlock first. */
export class LockedError extends VaultError {
  override name = 'LockedError';
}

/** The passphrase or passkey did not unwrap the vault's keys; nothing was read or changed. */
export class BadCredentialsError extends VaultError {
  override name = 'BadCredentialsError';
}

/**
 * The browser or authenticator cannot evaluate the WebAuthn PRF extension, so a passkey cannot
 * protect the keys; the vault keeps its current level (never a silently weaker setup).
 */
export class PrfUnsupportedError extends VaultError {
  override name = 'PrfUnsupportedError';
}

/** True for any error thrown by offline-vault, also after it crossed a postMessage boundary. */
export function isVaultError(value: unknown): value is VaultError {
  return (
    value instanceof VaultError ||
    (typeof value === 'object' && value !== null && (value as { isVaultError?: unknown }).isVaultError === true)
  );
}
