import type { ErrorBody, SyncErrorCode } from '../core/sync-protocol.js';

/** A request-level failure with its HTTP status and protocol error code (docs/protocol.md §2). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: SyncErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const BASE_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** A JSON response that no cache keeps. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...BASE_HEADERS, ...headers } });
}

/** The error response of an `HttpError`. */
export function errorResponse(error: HttpError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
  return jsonResponse(error.status, body, error.headers);
}

/** 400 `invalid-request` naming the offending field. */
export function invalid(path: string, message: string): HttpError {
  return new HttpError(400, 'invalid-request', `${path}: ${message}`, { path });
}

/**
 * Reads a request body, failing with `tooLarge()` as soon as more than `limit` bytes arrived (the
 * rest is not read).
 */
export async function readBodyBytes(request: Request, limit: number, tooLarge: () => HttpError): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      parts.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.byteLength;
  }
  return bytes;
}

/**
 * Reads a JSON body of at most `maxBytes` (checked on the declared length and on the bytes read,
 * so a lying or missing Content-Length cannot get past it).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'unsupported-media-type', 'Request body must be application/json');
  }
  const tooLarge = (): HttpError => new HttpError(413, 'payload-too-large', `Request body is larger than ${maxBytes} bytes`, { limit: maxBytes });
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge();
  const bytes = await readBodyBytes(request, maxBytes, tooLarge);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'malformed-json', 'Request body is not valid UTF-8 JSON');
  }
}
