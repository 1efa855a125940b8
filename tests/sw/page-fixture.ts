import type { ServiceWorkerContainerLike } from '../../src/files/index.js';
import type { ServiceWorkerScopeLike, WindowClientLike } from '../../sw/worker-scope.js';

/** A page's `navigator.serviceWorker`, delivering what the fake worker posts to it. */
export interface FakeContainer extends ServiceWorkerContainerLike {
  listeners: Set<(event: MessageEvent) => void>;
  /** Messages the page posted to its controlling worker. */
  posted: unknown[];
  deliver(data: unknown, ports: readonly MessagePort[]): void;
}

export function fakeContainer(): FakeContainer {
  const listeners = new Set<(event: MessageEvent) => void>();
  const posted: unknown[] = [];
  return {
    listeners,
    posted,
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
    startMessages: () => undefined,
    controller: { postMessage: (message) => void posted.push(message) },
    deliver(data, ports) {
      for (const listener of listeners) listener({ data, ports } as unknown as MessageEvent);
    },
  };
}

/** The worker's view of a page: what it posts lands in the page's container (port transferred as is). */
export function pageOf(container: FakeContainer, asked: unknown[] = []): WindowClientLike {
  return {
    url: 'https://app.test/',
    postMessage(message, transfer) {
      asked.push(message);
      container.deliver(message, transfer as MessagePort[]);
    },
  };
}

/** A page that never answers (no offline-vault in it, or an old version). */
export function silentPage(asked: unknown[] = []): WindowClientLike {
  return { url: 'https://app.test/other', postMessage: (message) => void asked.push(message) };
}

export function scopeWith(pages: () => WindowClientLike[]): ServiceWorkerScopeLike {
  return {
    clients: { claim: async () => undefined, matchAll: async () => pages() },
    skipWaiting: async () => undefined,
    addEventListener: () => undefined,
  };
}
