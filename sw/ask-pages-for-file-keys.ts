import type { FileKeys } from '../src/crypto/index.js';
import { FILE_KEYS_MESSAGE, parseFileKeysReply, type FileKeysRequest } from '../src/files/index.js';
import type { ServiceWorkerScopeLike, WindowClientLike } from './worker-scope.js';

/** How long a page may take to answer before it counts as not having the keys (ms). */
export const FILE_KEYS_TIMEOUT_MS = 3000;

function askOne(page: WindowClientLike, vault: string, dbId: Uint8Array, timeoutMs: number): Promise<FileKeys> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const finish = (keys: FileKeys | undefined): void => {
      clearTimeout(timer);
      channel.port1.onmessage = null;
      channel.port1.close();
      if (keys === undefined) reject(new Error('The page has no file keys for this vault'));
      else resolve(keys);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    channel.port1.onmessage = (event: MessageEvent) => finish(parseFileKeysReply(event.data, dbId));
    page.postMessage({ type: FILE_KEYS_MESSAGE, vault } satisfies FileKeysRequest, [channel.port2]);
  });
}

/**
 * Asks every open page (controlled or not) for the file keys of `vault` and resolves the first
 * usable answer for database `dbId`; undefined when there is no page, every page answered
 * `locked` (or for another database), or none answered within `timeoutMs`. Checklist: one port
 * per page, closed after its answer or the timeout; answers after the first are dropped.
 */
export async function askPagesForFileKeys(
  scope: ServiceWorkerScopeLike,
  vault: string,
  dbId: Uint8Array,
  timeoutMs = FILE_KEYS_TIMEOUT_MS,
): Promise<FileKeys | undefined> {
  const pages = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (pages.length === 0) return undefined;
  try {
    return await Promise.any(pages.map((page) => askOne(page, vault, dbId, timeoutMs)));
  } catch {
    return undefined;
  }
}
