import { isVaultError } from 'offline-vault';

/**
 * A sentence for a failed unlock or key change (BadCredentialsError, PrfUnsupportedError,
 * LockedError, StorageError): what happened and that nothing changed. Never echoes a secret.
 */
export function keyErrorMessage(error: unknown): string {
  if (!isVaultError(error)) return `That did not work (${(error as { name?: string })?.name ?? 'error'}). Nothing changed.`;
  switch (error.code) {
    case 'bad-credentials':
      return 'Wrong passphrase.';
    case 'passkey-cancelled':
      return 'The passkey request was cancelled. Nothing changed.';
    case 'unknown-passkey':
      return 'That passkey does not unlock this vault.';
    case 'no-passkey-slot':
    case 'no-passkey-slots':
      return 'This vault has no passkey.';
    case 'prf-unsupported':
      return 'This passkey cannot derive an encryption key (its authenticator lacks the WebAuthn PRF extension), so it cannot protect your data. Your protection is unchanged.';
    case 'webauthn-unavailable':
      return 'Passkeys are not available here: they need a secure origin with a domain name (such as localhost) and a browser that supports them. Your protection is unchanged.';
    case 'keys-changed':
      return 'Another tab changed the keys at the same moment. Nothing changed here; try again.';
    case 'keys-not-storable':
      return 'This browser cannot store encryption keys (private mode), so encryption cannot be turned on here.';
    case 'locked':
      return 'The vault is locked. Unlock it first.';
    case 'reencryption-paused':
      return 'Re-encryption paused (the vault was locked or closed). It continues after the next unlock.';
    default:
      return `That did not work (${error.code}). Nothing changed.`;
  }
}
