import type { SecurityLevel } from 'offline-vault';

/** How the Security tab and the lock screen present a protection level. */
export interface LevelInfo {
  /** Short label for the level badge. */
  readonly label: string;
  /** Whether the badge shows as good (green) or as a warning. */
  readonly tone: 'good' | 'warn';
  /** One line: what this level protects against, and what it does not. */
  readonly protects: string;
}

/** One entry per `vault.securityLevel`. */
export const LEVELS: Record<SecurityLevel, LevelInfo> = {
  none: {
    label: 'Not encrypted',
    tone: 'warn',
    protects: 'Nothing at rest: anyone who can open this browser profile (DevTools, a backup, a lost laptop) reads every record as is.',
  },
  device: {
    label: 'Device key',
    tone: 'good',
    protects:
      'Sealed with non-extractable keys kept by this browser: stops script from taking the keys and casual inspection, not someone with a copy of the whole profile.',
  },
  passphrase: {
    label: 'Passphrase',
    tone: 'good',
    protects: 'The keys are stored only wrapped by your passphrase: a stolen laptop or copied profile reveals nothing without it.',
  },
  passkey: {
    label: 'Passkey',
    tone: 'good',
    protects: 'The keys are stored only wrapped by a secret from your passkey (WebAuthn PRF): a copied profile reveals nothing without the authenticator.',
  },
  ephemeral: {
    label: 'Memory-only keys',
    tone: 'warn',
    protects: 'This browser cannot store keys (private mode): data is sealed with keys that end with this page, so unsynced changes are lost on reload.',
  },
};

/** Whether the level keeps its keys only wrapped, so the vault can be locked. */
export function canLock(level: SecurityLevel): boolean {
  return level === 'passphrase' || level === 'passkey';
}
