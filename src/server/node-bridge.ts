import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running node:http server bridged to a fetch-style handler. */
export interface Listener {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Reads at most `cap` bytes of the body; the rest is drained and dropped, so an oversized request
 * still gets its 413 answer instead of a reset connection, and memory stays bounded.
 */
function readCapped(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > cap) return;
      size += chunk.length;
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).subarray(0, cap + 1)));
    req.on('error', reject);
  });
}

async function toRequest(req: IncomingMessage, base: string, cap: number): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // The body is re-framed, so the declared length must not travel with it.
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  const body = hasBody ? await readCapped(req, cap) : undefined;
  return new Request(new URL(req.url ?? '/', base), { method, headers, ...(body === undefined ? {} : { body: new Uint8Array(body) }) });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Serves `handler` on `host:port` (0: any free port). Bodies over `maxBodyBytes` are cut after one more byte. */
export function listenWith(handler: (request: Request) => Promise<Response>, port: number, host: string, maxBodyBytes: number): Promise<Listener> {
  const server = createServer((req, res) => {
    const base = `http://${host.includes(':') ? `[${host}]` : host}`;
    toRequest(req, base, maxBodyBytes)
      .then(handler)
      .then((response) => send(res, response))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'Internal server error' } }));
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
