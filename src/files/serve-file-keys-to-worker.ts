import type { FileKeys } from '../crypto/index.js';
import { FILE_KEYS_MESSAGE, fileKeysReply, FORGET_FILE_KEYS_MESSAGE } from './file-key-messages.js';

/** The part of `navigator.serviceWorker` used here. */
export interface ServiceWorkerContainerLike {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  startMessages?(): void;
  readonly controller?: { postMessage(message: unknown): void } | null;
  getRegistration?(): Promise<{ active?: { postMessage(message: unknown): void } | null } | undefined>;
}

type KeysOf = () => FileKeys | undefined;

/** One message listener per container, answering for every vault this page serves. */
const served = new WeakMap<ServiceWorkerContainerLike, { listener: (event: MessageEvent) => void; vaults: Map<string, Set<KeysOf>> }>();

function defaultContainer(): ServiceWorkerContainerLike | undefined {
  return (globalThis as { navigator?: { serviceWorker?: ServiceWorkerContainerLike } }).navigator?.serviceWorker;
}

function currentKeys(providers: Iterable<KeysOf> | undefined): FileKeys | undefined {
  for (const keys of providers ?? []) {
    try {
      const found = keys();
      if (found !== undefined && found.all.size > 0) return found;
    } catch {
      // a provider that fails counts as locked
    }
  }
  return undefined;
}

/**
 * Answers the service worker's requests for the file keys of `vault` (`{ type:
 * 'offline-vault/file-keys', vault }` with a port) with `keys()`, or `{ locked: true }` while it
 * returns undefined. Returns the unsubscribe. A no-op where `navigator.serviceWorker` does not
 * exist. Checklist: one listener per page answers for all vaults it serves (a page without the
 * asked vault answers locked, so the worker need not wait for it); keys are read at request time,
 * so a page that locks stops answering with keys at once; only the transferred port gets them.
 */
export function serveFileKeysToWorker(vault: string, keys: KeysOf, container: ServiceWorkerContainerLike | undefined = defaultContainer()): () => void {
  if (container === undefined) return () => undefined;
  let entry = served.get(container);
  if (entry === undefined) {
    const vaults = new Map<string, Set<KeysOf>>();
    const listener = (event: MessageEvent): void => {
      const data = event.data as { type?: unknown; vault?: unknown } | null;
      if (data?.type !== FILE_KEYS_MESSAGE || typeof data.vault !== 'string') return;
      event.ports[0]?.postMessage(fileKeysReply(currentKeys(vaults.get(data.vault))));
    };
    entry = { listener, vaults };
    served.set(container, entry);
    container.addEventListener('message', listener);
    container.startMessages?.();
  }
  const { vaults } = entry;
  const providers = vaults.get(vault) ?? new Set<KeysOf>();
  vaults.set(vault, providers);
  const mine: KeysOf = () => keys(); // own identity: the same function served twice unsubscribes once
  providers.add(mine);
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    providers.delete(mine);
    if (providers.size === 0 && vaults.get(vault) === providers) vaults.delete(vault);
    if (vaults.size === 0 && served.get(container) === entry) {
      container.removeEventListener('message', entry.listener);
      served.delete(container);
    }
  };
}

/**
 * Tells the service worker to drop the file keys of `vault` it holds in memory (call on lock and
 * on close); it asks an unlocked page again when it next needs them. A no-op without a worker.
 */
export async function forgetFileKeysInWorker(vault: string, container: ServiceWorkerContainerLike | undefined = defaultContainer()): Promise<void> {
  if (container === undefined) return;
  const message = { type: FORGET_FILE_KEYS_MESSAGE, vault };
  const targets = new Set<{ postMessage(message: unknown): void }>();
  if (container.controller) targets.add(container.controller);
  const active = (await container.getRegistration?.().catch(() => undefined))?.active;
  if (active) targets.add(active);
  for (const worker of targets) worker.postMessage(message);
}
