import type Dexie from 'dexie';
import { LockedError } from '../core/errors.js';
import { keyringFileKeySource, type FileKeySource } from '../files/index.js';
import type { VaultKeys } from './vault-keys.js';

/**
 * The file keys of an open vault: read from the keyring at level `device` (so a file key created
 * by another tab is found), from the unlocked keys in memory at `passphrase` / `passkey` (the
 * keyring holds only wrapped keys there; nothing is ever created), LockedError while locked.
 */
export function vaultFileKeySource(db: Dexie, keys: VaultKeys): FileKeySource {
  const stored = keyringFileKeySource(db);
  const inMemory = async () => {
    const found = keys.locked ? undefined : keys.fileKeys();
    if (found === undefined) throw new LockedError('locked', 'The vault is locked: unlock it first', { level: keys.level });
    return found;
  };
  const wrapped = () => keys.level === 'passphrase' || keys.level === 'passkey';
  return {
    load: () => (wrapped() ? inMemory() : stored.load()),
    ensure: () => (wrapped() ? inMemory() : stored.ensure()),
    reload: () => stored.reload?.(),
  };
}
