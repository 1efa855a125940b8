/**
 * How the demo opens a user's vault: demo choices kept per user in localStorage, so a reload
 * opens the vault the same way. A real app would fix these in code.
 */
export interface VaultSettings {
  /** `encryption.database` of openVault: false starts (and keeps) a plaintext vault. */
  readonly encryptDatabase: boolean;
  /** `lockAfterIdleMs` of openVault, in minutes; null: never lock when idle. */
  readonly idleLockMinutes: number | null;
}

const DEFAULTS: VaultSettings = { encryptDatabase: true, idleLockMinutes: null };
const key = (user: string): string => `offline-vault-demo/settings/${user}`;

/** The stored settings of `user` (defaults when none or unreadable). */
export function loadVaultSettings(user: string): VaultSettings {
  try {
    const raw = JSON.parse(localStorage.getItem(key(user)) ?? 'null') as Partial<VaultSettings> | null;
    if (raw === null || typeof raw !== 'object') return DEFAULTS;
    const minutes = raw.idleLockMinutes;
    return {
      encryptDatabase: raw.encryptDatabase !== false,
      idleLockMinutes: typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0 ? minutes : null,
    };
  } catch {
    return DEFAULTS;
  }
}

/** Stores a change to `user`'s settings; resolves the settings now stored. */
export function saveVaultSettings(user: string, change: Partial<VaultSettings>): VaultSettings {
  const next = { ...loadVaultSettings(user), ...change };
  localStorage.setItem(key(user), JSON.stringify(next));
  return next;
}

/** Forgets `user`'s settings (sign-out leaves nothing of the user behind). */
export function clearVaultSettings(user: string): void {
  localStorage.removeItem(key(user));
}
