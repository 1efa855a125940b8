import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Answers a request and returns true, or returns false to let the next handler (or the files) answer. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface StaticServerOptions {
  /** Directory to serve. */
  root: string;
  /** First port to try (default 5173); busy ports are skipped; 0 picks any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Run before the static files, in order. */
  handlers?: readonly RequestHandler[];
}

export interface StaticServer {
  server: Server;
  port: number;
  /** `http://<host>:<port>/` */
  url: string;
  close(): Promise<void>;
}

/** Starts a static file server with SPA fallback to index.html for navigations. */
export function startStaticServer(options: StaticServerOptions): Promise<StaticServer>;

/**
 * A `handlers` entry serving every path below `prefix` (e.g. '/sync/') with a fetch-style handler;
 * request bodies are buffered up to `maxBodyBytes` (default 10 MiB) + 1 byte, responses streamed.
 */
export function fetchHandler(
  prefix: string,
  handle: (request: Request) => Promise<Response>,
  options?: { maxBodyBytes?: number },
): RequestHandler;
