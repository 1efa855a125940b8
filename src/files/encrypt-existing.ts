import { META_STORE } from '../store/vault-database.js';
import type { FileEnv } from './file-env.js';
import { filesTable, SUITE_PLAIN, type FileRow } from './file-format.js';
import { openStoredFile, readRange } from './read-file.js';
import { toByteStream } from './to-byte-stream.js';
import { writeFile } from './write-file.js';

/** `_meta` row holding the resume point of `encryptExisting`: `{ name, after: objectId }`. */
export const ENCRYPT_CURSOR = 'files/encrypt-existing';
const PAGE = 32;

/** Progress of `encryptExisting`: plain files re-encrypted so far, of those found at the start. */
export interface EncryptProgress {
  done: number;
  total: number;
}

/** Options of `files.encryptExisting`. */
export interface EncryptExistingOptions {
  onProgress?: (progress: EncryptProgress) => void;
  /** Stops between files; the promise rejects with the signal's reason and the cursor stays. */
  signal?: AbortSignal;
}

const isPlain = (row: FileRow): boolean => row.header instanceof Uint8Array && row.header[1] === SUITE_PLAIN;

/**
 * Re-encrypts every plain file, in object-id order, resumable. Checklist:
 * - each file is rewritten as a new encrypted version (new fileId and FEK) by the ordinary write
 *   protocol, so an interruption leaves the plain version readable;
 * - the commit that replaces a file also advances the cursor in `_meta`, in the same transaction,
 *   so a restart resumes after the last re-encrypted file;
 * - a file that was overwritten or deleted meanwhile is left as its writer made it (`ifFileId`);
 * - the cursor row is deleted when the pass completes.
 */
export async function encryptExisting(env: FileEnv, options: EncryptExistingOptions = {}): Promise<{ encrypted: number }> {
  const { db } = env;
  const { onProgress, signal } = options;
  await env.writeKeys();
  const meta = db.table(META_STORE);
  let after = ((await meta.get(ENCRYPT_CURSOR)) as { after?: string } | undefined)?.after;
  const rowsAfter = (id: string | undefined) => (id === undefined ? filesTable(db).toCollection() : filesTable(db).where('id').above(id));
  const total = await rowsAfter(after).filter(isPlain).count();
  let done = 0;
  let encrypted = 0;
  onProgress?.({ done, total });
  for (;;) {
    signal?.throwIfAborted();
    const page = await rowsAfter(after).limit(PAGE).toArray();
    if (page.length === 0) break;
    for (const row of page) {
      signal?.throwIfAborted();
      if (isPlain(row)) {
        const file = await openStoredFile(env, row.id);
        if (file !== undefined && file.row.fileId === row.fileId) {
          const written = await writeFile(env, {
            entity: row.entity,
            id: row.id,
            source: toByteStream(readRange(env, file, {})),
            contentType: row.contentType ?? 'application/octet-stream',
            encrypt: true,
            maxSize: Number.POSITIVE_INFINITY, // already stored: the entity's limit applied when it was written
            ifFileId: row.fileId,
            alsoInCommit: { stores: [META_STORE], run: async () => void (await meta.put({ name: ENCRYPT_CURSOR, after: row.id })) },
          });
          if (written !== undefined) encrypted++;
        }
        done++;
        onProgress?.({ done, total });
      }
      after = row.id;
    }
  }
  await meta.delete(ENCRYPT_CURSOR);
  return { encrypted };
}
