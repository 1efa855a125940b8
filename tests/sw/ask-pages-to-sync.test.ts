import { describe, expect, it } from 'vitest';
import { askPagesToSync } from '../../sw/ask-pages-to-sync.js';
import { SYNC_MESSAGE } from '../../sw/messages.js';
import type { ServiceWorkerScopeLike, WindowClientLike } from '../../sw/worker-scope.js';

/** A page that answers the sync request with `ok` (or never, when `ok` is undefined). */
function page(ok: boolean | undefined, seen: unknown[]): WindowClientLike {
  return {
    url: 'https://app.test/',
    postMessage(message, transfer) {
      seen.push(message);
      const port = transfer[0] as MessagePort;
      if (ok !== undefined) port.postMessage({ ok });
    },
  };
}

function scopeWith(pages: WindowClientLike[]): ServiceWorkerScopeLike {
  return {
    clients: { claim: async () => undefined, matchAll: async () => pages },
    skipWaiting: async () => undefined,
    addEventListener: () => undefined,
  };
}

describe('askPagesToSync (Background Sync event)', () => {
  it('resolves at once when no page is open (the app syncs at its next start)', async () => {
    await expect(askPagesToSync(scopeWith([]))).resolves.toBeUndefined();
  });

  it('asks every open page and resolves when one of them synced', async () => {
    const seen: unknown[] = [];
    await expect(askPagesToSync(scopeWith([page(false, seen), page(true, seen), page(undefined, seen)]))).resolves.toBeUndefined();
    expect(seen).toEqual([{ type: SYNC_MESSAGE }, { type: SYNC_MESSAGE }, { type: SYNC_MESSAGE }]);
  });

  it('rejects when every page failed, so the browser retries later', async () => {
    await expect(askPagesToSync(scopeWith([page(false, []), page(false, [])]))).rejects.toBeInstanceOf(AggregateError);
  });

  it('resolves on the last chance even when every page failed (no retry is coming)', async () => {
    await expect(askPagesToSync(scopeWith([page(false, [])]), true)).resolves.toBeUndefined();
  });
});
