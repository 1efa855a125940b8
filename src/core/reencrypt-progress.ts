/**
 * Progress of a background re-encryption: `migrate` (plaintext to encrypted), `rotate` (new key
 * generation) or `protect` (device keys to passphrase / passkey keys). `done` and `total` count rows.
 */
export interface ReencryptProgress {
  kind: 'migrate' | 'rotate' | 'protect';
  done: number;
  total: number;
}

/** Why the vault locked itself or was locked. */
export interface LockedEvent {
  reason: 'lock' | 'idle';
}
