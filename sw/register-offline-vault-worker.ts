import { Workbox } from 'workbox-window';
import { SYNC_MESSAGE, SYNC_TAG, type SyncReply } from './messages.js';

/** A new version of the app's worker is installed and waiting. */
export interface WorkerUpdate {
  /** Activates the new worker and reloads the page once it controls it. */
  apply(): void;
}

/** Options of `registerOfflineVaultWorker`. */
export interface RegisterWorkerOptions {
  /** Registration scope. @default the worker script's directory */
  scope?: string;
  /** `'module'` for a worker built as an ES module. @default 'classic' */
  type?: 'classic' | 'module';
  /** Called when an update waits; show a prompt and call `update.apply()` when the user agrees. */
  onUpdate?: (update: WorkerUpdate) => void;
  /** Runs the upload, e.g. `() => vault.sync()`; called when the worker's Background Sync fires or the device comes online. */
  onSync?: () => Promise<unknown>;
}

/** The registered worker, page side. */
export interface OfflineVaultWorker {
  /** The workbox-window instance (events: installed, waiting, controlling, activated, ...). */
  readonly workbox: Workbox;
  readonly registration: ServiceWorkerRegistration | undefined;
  /**
   * Asks for an upload as soon as the device is online: a Background Sync registration where
   * the browser has it ('background-sync'), else `onSync` on the next `online` event or now
   * ('online-event'). Call it after local writes made offline.
   */
  requestSync(): Promise<'background-sync' | 'online-event'>;
}

interface SyncRegistration {
  sync?: { register(tag: string): Promise<void> };
}

/**
 * Registers the app's service worker with workbox-window, hooks the update prompt and answers
 * the worker's sync requests with `onSync`. Resolves once registration finished (the first
 * install may still be running: wait for `navigator.serviceWorker.ready` or the 'controlling'
 * event if the page needs the worker).
 */
export async function registerOfflineVaultWorker(url: string, options: RegisterWorkerOptions = {}): Promise<OfflineVaultWorker> {
  const container = navigator.serviceWorker;
  const workbox = new Workbox(url, { ...(options.scope === undefined ? {} : { scope: options.scope }), type: options.type ?? 'classic' });
  let syncing: Promise<unknown> | undefined;
  const runSync = (): Promise<unknown> => {
    if (options.onSync === undefined) return Promise.reject(new Error('No onSync handler'));
    syncing ??= options.onSync().finally(() => {
      syncing = undefined;
    });
    return syncing;
  };

  container.addEventListener('message', (event: MessageEvent) => {
    if ((event.data as { type?: unknown } | null)?.type !== SYNC_MESSAGE) return;
    const port = event.ports[0];
    const reply = (ok: boolean): void => port?.postMessage({ ok } satisfies SyncReply);
    runSync().then(
      () => reply(true),
      () => reply(false),
    );
  });
  container.startMessages();

  workbox.addEventListener('waiting', () => {
    options.onUpdate?.({
      apply() {
        workbox.addEventListener('controlling', () => globalThis.location.reload());
        workbox.messageSkipWaiting();
      },
    });
  });
  const registration = await workbox.register();

  return {
    workbox,
    registration,
    async requestSync() {
      const ready = (await container.ready) as ServiceWorkerRegistration & SyncRegistration;
      if (ready.sync !== undefined) {
        try {
          await ready.sync.register(SYNC_TAG);
          return 'background-sync';
        } catch {
          // permission denied or unsupported in this context: fall through to the online event
        }
      }
      if (navigator.onLine) void runSync().catch(() => undefined);
      else globalThis.addEventListener('online', () => void runSync().catch(() => undefined), { once: true });
      return 'online-event';
    },
  };
}
