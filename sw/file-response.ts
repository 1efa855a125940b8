import { isVaultError } from '../src/core/errors.js';
import { parseFileUrl } from '../src/files/index.js';
import { parseRange } from './parse-range.js';
import type { VaultReaders } from './vault-readers.js';

/**
 * Headers of every file response. Decrypted bytes must not reach the HTTP cache (no-store), must
 * not be sniffed into another type, and a stored HTML or SVG file must not run script in the
 * app's origin when opened directly (CSP sandbox), nor be framed by another site.
 */
const SAFE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'",
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Accept-Ranges': 'bytes',
};

function plain(status: number, statusText: string, extra: Record<string, string> = {}): Response {
  return new Response(null, { status, statusText, headers: { ...SAFE_HEADERS, ...extra } });
}

/**
 * Answers a GET or HEAD of a file URL (`<prefix><vault>/<id>`) from the vault's IndexedDB:
 * 200 with the whole file, 206 for a satisfiable `Range` (only the segments it covers are
 * decrypted), 416 for a malformed or unsatisfiable one, 404 when the vault or file does not
 * exist, 423 when the file is encrypted and no open page has the vault unlocked (passphrase /
 * passkey levels), 500 (no details: they could name the object) when stored data fails
 * verification or storage fails. Bytes stream out as their segments verify; a later failure aborts the body.
 */
export async function serveVaultFile(request: Request, prefix: string, readers: VaultReaders): Promise<Response> {
  const target = parseFileUrl(prefix, new URL(request.url).pathname);
  if (target === undefined) return plain(404, 'Not Found');
  try {
    const reader = await readers.get(target.vault);
    const file = reader === undefined ? undefined : await reader.open(target.id);
    if (file === undefined) return plain(404, 'Not Found');
    const range = parseRange(request.headers.get('Range'), file.size);
    if (range.kind === 'unsatisfiable') return plain(416, 'Range Not Satisfiable', { 'Content-Range': `bytes */${file.size}` });
    const head = request.method === 'HEAD';
    const headers: Record<string, string> = { ...SAFE_HEADERS, 'Content-Type': file.contentType };
    if (range.kind === 'full') {
      headers['Content-Length'] = String(file.size);
      return new Response(head ? null : file.stream(), { status: 200, headers });
    }
    headers['Content-Length'] = String(range.end - range.start);
    headers['Content-Range'] = `bytes ${range.start}-${range.end - 1}/${file.size}`;
    return new Response(head ? null : file.stream({ start: range.start, end: range.end }), { status: 206, statusText: 'Partial Content', headers });
  } catch (error) {
    if (isVaultError(error) && error.code === 'invalid-id') return plain(404, 'Not Found');
    if (isVaultError(error) && error.code === 'locked') return plain(423, 'Locked');
    return plain(500, 'Internal Server Error');
  }
}
