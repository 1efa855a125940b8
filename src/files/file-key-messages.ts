import type { FileKeys } from '../crypto/index.js';

/** Worker -> page: "send me the file keys of `vault`"; the page answers on the transferred port. */
export const FILE_KEYS_MESSAGE = 'offline-vault/file-keys';
/** Page -> worker: "drop the file keys of `vault` you hold" (the page locked or closed). */
export const FORGET_FILE_KEYS_MESSAGE = 'offline-vault/file-keys-forget';

/** What the worker posts to a page with FILE_KEYS_MESSAGE. */
export interface FileKeysRequest {
  type: typeof FILE_KEYS_MESSAGE;
  vault: string;
}

/**
 * A page's answer: the vault's dbId and every file key generation (CryptoKeys cross postMessage by
 * structured clone and stay non-extractable), or `locked` when the page has no unlocked keys.
 */
export type FileKeysReply = { dbId: Uint8Array; keys: { keyId: number; key: CryptoKey }[] } | { locked: true };

/** The reply for `keys` (undefined: locked). */
export function fileKeysReply(keys: FileKeys | undefined): FileKeysReply {
  if (keys === undefined || keys.all.size === 0) return { locked: true };
  return { dbId: keys.dbId, keys: [...keys.all].map(([keyId, key]) => ({ keyId, key })) };
}

/**
 * The FileKeys of a page's reply, or undefined when it is `locked`, malformed, or for another
 * database (`dbId` differs: the vault was deleted and created again meanwhile).
 */
export function parseFileKeysReply(data: unknown, dbId: Uint8Array): FileKeys | undefined {
  const reply = data as { dbId?: unknown; keys?: unknown } | null;
  if (typeof reply !== 'object' || reply === null || !(reply.dbId instanceof Uint8Array) || !Array.isArray(reply.keys)) return undefined;
  if (reply.dbId.length !== dbId.length || reply.dbId.some((b, i) => b !== dbId[i])) return undefined;
  const all = new Map<number, CryptoKey>();
  for (const entry of reply.keys as unknown[]) {
    const { keyId, key } = (entry ?? {}) as { keyId?: unknown; key?: unknown };
    if (typeof keyId !== 'number' || !Number.isInteger(keyId) || keyId < 0 || keyId > 0xffff_ffff || !(key instanceof CryptoKey)) return undefined;
    all.set(keyId, key);
  }
  if (all.size === 0) return undefined;
  const keyId = Math.max(...all.keys());
  return { dbId: new Uint8Array(dbId), all, primary: { keyId, key: all.get(keyId)! } };
}
