// In-page half of bench/files-browser.mjs: writes and reads one big file through vault.files with
// file encryption on and off, and times raw WebCrypto AES-GCM over the same 64 KiB chunks.
// The page only does the work; heap sampling is done from Node over CDP.
import { openVault, type Vault } from '../../src/index.js';
import { defineApp } from '../../src/app/index.js';

/** Which vault a run uses: files encrypted, or stored plainly by the same code. */
export type FileKind = 'encrypted' | 'plain';

/** What bench/files-browser.mjs finds on `window.filesBench`. */
export interface FilesBench {
  /** Writes `size` bytes from a generated stream; resolves milliseconds. */
  write(kind: FileKind, size: number): Promise<number>;
  /** Reads the file back chunk by chunk; resolves milliseconds and the byte count. */
  read(kind: FileKind): Promise<{ ms: number; bytes: number }>;
  /** Deletes the file (between runs, untimed). */
  remove(kind: FileKind): Promise<void>;
  /** Raw AES-GCM over `size` bytes in 64 KiB chunks, one at a time: milliseconds per direction. */
  raw(size: number): Promise<{ encryptMs: number; decryptMs: number }>;
  ready: true;
}

declare global {
  interface Window {
    filesBench: FilesBench;
  }
}

const SEGMENT = 64 * 1024;
const FILE_ID = 'bench-file';
const app = defineApp({ entities: { 'Bench.File': { file: 'file', attributes: { Name: 'string' } } } });
// One random 64 KiB pattern (incompressible); every chunk is a fresh copy, as from a real source.
const pattern = crypto.getRandomValues(new Uint8Array(SEGMENT));

const vaults: Record<FileKind, Promise<Vault>> = {
  encrypted: openVault({ name: 'files-bench-encrypted', app, encryption: { database: true, files: true }, requestPersistence: false }),
  plain: openVault({ name: 'files-bench-plain', app, encryption: { database: true, files: false }, requestPersistence: false }),
};

/** `size` bytes in 64 KiB chunks, produced on demand (never the whole file in memory). */
function source(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= size) {
          controller.close();
          return;
        }
        const n = Math.min(SEGMENT, size - sent);
        controller.enqueue(pattern.slice(0, n));
        sent += n;
      },
    },
    { highWaterMark: 0 },
  );
}

window.filesBench = {
  async write(kind, size) {
    const vault = await vaults[kind];
    const t = performance.now();
    await vault.files.put('Bench.File', FILE_ID, source(size), { contentType: 'application/octet-stream' });
    return performance.now() - t;
  },
  async read(kind) {
    const vault = await vaults[kind];
    const t = performance.now();
    const reader = (await vault.files.stream(FILE_ID)).getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    return { ms: performance.now() - t, bytes };
  },
  async remove(kind) {
    await (await vaults[kind]).files.delete(FILE_ID);
  },
  async raw(size) {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = new Uint8Array(12);
    const count = Math.ceil(size / SEGMENT);
    let t = performance.now();
    let sealed = new ArrayBuffer(0);
    for (let i = 0; i < count; i++) {
      iv[0] = i & 255; // a distinct nonce per chunk, as the format does
      sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, pattern);
    }
    const encryptMs = performance.now() - t;
    iv[0] = (count - 1) & 255;
    t = performance.now();
    for (let i = 0; i < count; i++) await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed);
    return { encryptMs, decryptMs: performance.now() - t };
  },
  ready: true,
};
await Promise.all(Object.values(vaults));
document.getElementById('status')!.textContent = 'ready';
