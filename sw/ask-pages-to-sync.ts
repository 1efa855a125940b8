import { SYNC_MESSAGE, type SyncReply } from './messages.js';
import type { ServiceWorkerScopeLike } from './worker-scope.js';

function ask(client: { postMessage(message: unknown, transfer: Transferable[]): void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<SyncReply>) => {
      channel.port1.close();
      if (event.data?.ok === true) resolve();
      else reject(new Error('The page could not sync'));
    };
    client.postMessage({ type: SYNC_MESSAGE }, [channel.port2]);
  });
}

/**
 * Answers a Background Sync event: every open page is asked to run `vault.sync()` (the pages
 * hold the sync token; the worker does not). Resolves once one page reports success; rejects when
 * all fail, so the browser retries later (unless this was the last chance). With no open page
 * there is nothing to do now: the app syncs at its next start.
 */
export async function askPagesToSync(scope: ServiceWorkerScopeLike, lastChance = false): Promise<void> {
  const pages = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (pages.length === 0) return;
  try {
    await Promise.any(pages.map(ask));
  } catch (error) {
    if (!lastChance) throw error;
  }
}
