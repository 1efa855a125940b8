// The few service-worker globals this module uses, typed locally: the repo typechecks sw/ with the
// DOM lib (as the page-side registration needs), where the WebWorker lib's types do not exist.

/** An event whose lifetime `waitUntil` extends. */
export interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

/** The Background Sync `sync` event. */
export interface SyncEventLike extends ExtendableEventLike {
  readonly tag: string;
  /** True when the browser will not retry after this attempt. */
  readonly lastChance: boolean;
}

/** A message posted to the worker. */
export interface ExtendableMessageEventLike extends ExtendableEventLike {
  readonly data: unknown;
}

/** A page the worker can talk to. */
export interface WindowClientLike {
  readonly url: string;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/** The service worker's global scope, as far as offline-vault uses it. */
export interface ServiceWorkerScopeLike {
  readonly clients: {
    claim(): Promise<void>;
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'sync', listener: (event: SyncEventLike) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEventLike) => void): void;
}

/** The global scope of the running service worker. */
export function workerScope(): ServiceWorkerScopeLike {
  return globalThis as unknown as ServiceWorkerScopeLike;
}
