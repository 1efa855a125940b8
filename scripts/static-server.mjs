// A small static file server for the built demo (node:http, no dependency). Later issues mount
// the sync server beside it through `handlers`.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts a static server for `root`. If `port` is busy, tries the next ports (up to 20).
 * `handlers` run first, in order; a handler returns true when it answered the request.
 * Resolves to `{ server, port, url, close() }`.
 */
export async function startStaticServer({ root, port = 5173, host = '127.0.0.1', handlers = [] }) {
  const rootDir = resolve(root);
  const server = createServer((req, res) => {
    handle(rootDir, handlers, req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal error');
      console.error('static server:', error instanceof Error ? error.message : error);
    });
  });
  const bound = await listenOnFreePort(server, port, host);
  return {
    server,
    port: bound,
    url: `http://${host}:${bound}/`,
    close: () =>
      new Promise((done, fail) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}

async function listenOnFreePort(server, firstPort, host) {
  // Port 0 asks the OS for any free port (used by tests running in parallel).
  const attempts = firstPort === 0 ? 1 : 20;
  for (let i = 0; i < attempts; i++) {
    const port = firstPort === 0 ? 0 : firstPort + i;
    try {
      await new Promise((done, fail) => {
        const onError = (error) => {
          server.off('listening', onListening);
          fail(error);
        };
        const onListening = () => {
          server.off('error', onError);
          done();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port, host);
      });
      return server.address().port;
    } catch (error) {
      if (error?.code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error(`No free port in ${firstPort}..${firstPort + attempts - 1}`);
}

async function handle(rootDir, handlers, req, res) {
  for (const handler of handlers) {
    if (await handler(req, res)) return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  let pathname;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400);
    res.end();
    return;
  }
  const file = await resolveFile(rootDir, pathname, req.headers.accept ?? '');
  if (file === null) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  const body = await readFile(file);
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers = { 'Content-Type': type, 'Content-Length': body.length };
  // HTML must be revalidated so a new build (and later a new service worker) is picked up.
  if (type.startsWith('text/html')) headers['Cache-Control'] = 'no-cache';
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Maps a URL path to a file under root; navigations to unknown paths fall back to the SPA entry. */
async function resolveFile(rootDir, pathname, accept) {
  const candidate = normalize(join(rootDir, pathname));
  if (candidate !== rootDir && !candidate.startsWith(rootDir + sep)) return null; // path traversal
  for (const path of [candidate, join(candidate, 'index.html')]) {
    if (await isFile(path)) return path;
  }
  const isNavigation = extname(pathname) === '' || accept.includes('text/html');
  if (!isNavigation) return null;
  // Nearest index.html up the tree, so /harness/x serves the harness page and /x the demo.
  let dir = candidate;
  while (dir.startsWith(rootDir)) {
    const index = join(dir, 'index.html');
    if (await isFile(index)) return index;
    if (dir === rootDir) break;
    dir = resolve(dir, '..');
  }
  return null;
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * A `handlers` entry that serves every request whose path starts with `prefix` (e.g. '/sync/')
 * with a fetch-style `handle(Request) => Promise<Response>` (e.g. a sync server's handler).
 * Request bodies are buffered up to `maxBodyBytes` + 1 bytes (the rest is drained and dropped, so
 * the handler can still answer 413 instead of the connection being reset); response bodies are
 * streamed. A handler that throws gets a JSON 500 without details.
 */
export function fetchHandler(prefix, handle, { maxBodyBytes = 10 * 1024 * 1024 } = {}) {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const bare = base.slice(0, -1);
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== bare && !path.startsWith(base)) return false;
    let response;
    try {
      response = await handle(await toFetchRequest(req, maxBodyBytes));
    } catch (error) {
      console.error('mounted handler:', error instanceof Error ? error.name : 'error');
      response = new Response(JSON.stringify({ error: { code: 'internal', message: 'Internal server error' } }), {
        status: 500,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    }
    await sendFetchResponse(req, res, response);
    return true;
  };
}

function readCapped(req, cap) {
  return new Promise((done, fail) => {
    const parts = [];
    let size = 0;
    req.on('data', (chunk) => {
      if (size > cap) return;
      size += chunk.length;
      parts.push(chunk);
    });
    req.on('end', () => done(Buffer.concat(parts).subarray(0, cap + 1)));
    req.on('error', fail);
  });
}

async function toFetchRequest(req, cap) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  // The body is re-framed, so its declared length must not travel with it.
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? new Uint8Array(await readCapped(req, cap)) : undefined;
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  return new Request(url, { method, headers, ...(body === undefined ? {} : { body }) });
}

async function sendFetchResponse(req, res, response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body === null || req.method === 'HEAD') {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Respect backpressure: wait for the socket to drain before reading more.
      if (!res.write(value)) {
        await drainedOrClosed(res);
        if (res.destroyed) return;
      }
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', stop);
  }
}

function drainedOrClosed(res) {
  return new Promise((resume) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resume();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
