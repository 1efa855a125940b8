import { OfflineError, SyncError } from '../core/errors.js';

/** `openVault({ sync })`: where the server is and how to authenticate. */
export interface SyncConfig {
  /** Base URL of the server's routes (`<url>/v1/...`). */
  url: string;
  /** Bearer token, or an async function returning one (asked before every request). */
  token: string | (() => Promise<string>);
  /** The fetch to use (tests, custom agents). Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Retries of network errors and 5xx responses. Default `{ attempts: 4, baseDelayMs: 200 }`. */
  retry?: { attempts?: number; baseDelayMs?: number };
}

/** How one request is sent. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Retry network errors and 5xx with exponential backoff (only for idempotent requests). */
  retry: boolean;
  /** Fail at once with OfflineError when offline (server actions). */
  offlineFails?: boolean;
}

/** JSON over HTTP to the sync server. */
export interface Transport {
  request<T>(method: 'GET' | 'POST', path: string, body: unknown, options: RequestOptions): Promise<T>;
}

/** Thrown inside the transport for a retryable failure; turned into SyncError after the last try. */
class Retryable extends Error {
  constructor(readonly error: SyncError) {
    super(error.message);
  }
}

export function abortedError(): SyncError {
  return new SyncError('aborted', 'The synchronization was cancelled');
}

/** Throws the `aborted` SyncError when `signal` was aborted (a safe point of a sync). */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isOffline(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return nav?.onLine === false;
}

/** Creates the transport of a vault's sync configuration. */
export function createTransport(config: SyncConfig): Transport {
  const base = config.url.replace(/\/+$/, '');
  const attempts = Math.max(1, config.retry?.attempts ?? 4);
  const baseDelay = Math.max(0, config.retry?.baseDelayMs ?? 200);
  const doFetch = config.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function once<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<T> {
    const token = typeof config.token === 'function' ? await config.token() : config.token;
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, init);
    } catch (error) {
      if (options.signal?.aborted === true) throw abortedError();
      if (options.offlineFails === true) throw new OfflineError('offline', 'The server cannot be reached', { path }, { cause: error });
      throw new Retryable(new SyncError('network', 'The server cannot be reached', { path }, { cause: error }));
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      if (options.signal?.aborted === true) throw abortedError();
      // A non-JSON error page (proxy, gateway) still carries its status; a non-JSON success is a fault.
      const failure = new SyncError('bad-response', 'The server sent a response that is not JSON', { path, status: response.status });
      if (response.status >= 500) throw new Retryable(failure);
      if (response.ok) throw failure;
    }
    if (response.ok) return payload as T;
    const remote = (payload as { error?: { code?: unknown } } | undefined)?.error;
    const code = typeof remote?.code === 'string' ? remote.code : `http-${response.status}`;
    const failure = new SyncError(code, `The server answered ${response.status}`, { path, status: response.status });
    if (response.status >= 500) throw new Retryable(failure);
    throw failure;
  }

  return {
    async request<T>(method: 'GET' | 'POST', path: string, body: unknown, options: RequestOptions): Promise<T> {
      checkAborted(options.signal);
      if (options.offlineFails === true && isOffline()) throw new OfflineError('offline', 'The device is offline', { path });
      for (let attempt = 1; ; attempt++) {
        try {
          return await once<T>(method, path, body, options);
        } catch (error) {
          if (!(error instanceof Retryable)) throw error;
          if (!options.retry || attempt >= attempts) throw error.error;
          // Exponential backoff with jitter, so many devices do not retry in lockstep.
          await sleep(baseDelay * 2 ** (attempt - 1) * (0.5 + Math.random() / 2), options.signal);
        }
      }
    },
  };
}
