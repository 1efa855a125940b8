import { OfflineError, SyncError } from '../core/errors.js';
import { abortedError } from './transport.js';
import type { SyncConfig } from './transport.js';

/** One binary-capable request to the file routes. */
export interface FileRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  path: string;
  /** JSON bodies are objects; chunk bodies are bytes (sent as application/octet-stream). */
  body?: Uint8Array | Record<string, unknown>;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** Raw HTTP to the file routes with the vault's token, base URL, fetch and retry policy. */
export interface FileTransport {
  /** The response (any status); network failures are retried, then throw `SyncError('network')`. */
  send(request: FileRequest): Promise<Response>;
  /** `send` that returns the JSON body of a 2xx answer and throws `SyncError(<server code>)` otherwise. */
  json<T>(request: FileRequest): Promise<T>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error a non-2xx file response stands for (code from the server's error body). */
export async function responseError(response: Response, path: string): Promise<SyncError> {
  let code = `http-${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
  } catch {
    // not JSON: keep the status code
  }
  return new SyncError(code, `The server answered ${response.status}`, { path, status: response.status });
}

/** Creates the file transport of a sync configuration. */
export function createFileTransport(config: SyncConfig): FileTransport {
  const base = config.url.replace(/\/+$/, '');
  const attempts = Math.max(1, config.retry?.attempts ?? 4);
  const baseDelay = Math.max(0, config.retry?.baseDelayMs ?? 200);
  const doFetch = config.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function send(req: FileRequest): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted === true) throw abortedError();
      const token = typeof config.token === 'function' ? await config.token() : config.token;
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...req.headers };
      let body: BodyInit | undefined;
      if (req.body instanceof Uint8Array) {
        headers['content-type'] = 'application/octet-stream';
        body = req.body as Uint8Array<ArrayBuffer>;
      } else if (req.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(req.body);
      }
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await doFetch(`${base}${req.path}`, { method: req.method, headers, ...(body === undefined ? {} : { body }), ...(req.signal === undefined ? {} : { signal: req.signal }) });
      } catch (error) {
        if ((req.signal as AbortSignal | undefined)?.aborted === true) throw abortedError();
        failure = error;
      }
      if (response !== undefined && response.status < 500) return response;
      if (attempt >= attempts) {
        if (response !== undefined) throw await responseError(response, req.path);
        const offline = (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
        const Err = offline ? OfflineError : SyncError;
        throw new Err(offline ? 'offline' : 'network', 'The server cannot be reached', { path: req.path }, { cause: failure });
      }
      await response?.body?.cancel().catch(() => undefined);
      await sleep(baseDelay * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
    }
  }

  return {
    send,
    async json<T>(req: FileRequest): Promise<T> {
      const response = await send(req);
      if (!response.ok) throw await responseError(response, req.path);
      return (await response.json()) as T;
    },
  };
}
