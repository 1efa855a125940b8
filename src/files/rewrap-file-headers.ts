import type { Dexie } from 'dexie';
import { KeyLostError } from '../core/errors.js';
import {
  FILE_HEADER_LENGTH,
  FILE_ID_LENGTH,
  fileIdHex,
  NONCE_PREFIX_LENGTH,
  openFileHeader,
  openFileMeta,
  parseFileHeader,
  writeU32,
  type FileKeys,
  type RecordKey,
} from '../crypto/index.js';
import { fekWrapAad } from '../crypto/file-header.js';
import { FILES_STORE } from '../store/vault-database.js';
import { filesTable, type FileRow } from './file-format.js';

/** Options of `rewrapFileHeaders`. */
export interface RewrapOptions {
  /** Headers re-wrapped per write transaction. @default 32 */
  batchSize?: number;
  /** Called after every batch: candidates handled so far, of those found at the start. */
  onProgress?(done: number, total: number): void;
  /** Stops between batches; the promise rejects with the signal's reason (rerun to resume). */
  signal?: AbortSignal;
}

/** Result of `rewrapFileHeaders`. */
export interface RewrapResult {
  /** Headers now wrapped under the primary file key. */
  rewrapped: number;
  /** Rows replaced or deleted by another writer meanwhile (left as that writer made them). */
  skipped: number;
  /** Headers that could not be re-wrapped: their key is not in `keys`, or they fail verification. */
  failed: number;
}

// Header layout of crypto.md §3.6: fmt..reserved(4) ‖ fileId ‖ noncePrefix ‖ fileKeyId u32 ‖ IV(12) ‖ wrapped FEK(48).
const OFF_KEY_ID = 4 + FILE_ID_LENGTH + NONCE_PREFIX_LENGTH;
const OFF_WRAP_IV = OFF_KEY_ID + 4;
const OFF_WRAPPED = OFF_WRAP_IV + 12;
const FEK_ALGORITHM = { name: 'AES-GCM', length: 256 } as const;
const DEFAULT_BATCH = 32;

/** The fileKeyId of an encrypted header, or undefined for a plain or malformed one. */
function headerKeyId(header: unknown): number | undefined {
  if (!(header instanceof Uint8Array) || header.length !== FILE_HEADER_LENGTH) return undefined;
  try {
    return parseFileHeader(header).fileKeyId;
  } catch {
    return undefined;
  }
}

function sameBytes(a: unknown, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The header of `row` with its FEK re-wrapped under `primary`, and H of the header the segments
 * were sealed under; undefined when the old key is missing or the header fails verification.
 * Checklist: the extractable FEK exists only in this function's local variable, between unwrap
 * and wrap; fileId and nonce prefix stay, so segments (sealed under H) are untouched; the new
 * header is opened and the sealed meta verified with it before it is returned.
 */
async function rewrapRow(keys: FileKeys, primary: RecordKey, row: FileRow): Promise<{ header: Uint8Array; headerHash: Uint8Array } | undefined> {
  const old = row.header.slice();
  const fields = parseFileHeader(old);
  const oldKey = keys.all.get(fields.fileKeyId);
  if (oldKey === undefined || fileIdHex(fields.fileId) !== row.fileId) return undefined;
  const headerHash = row.headerHash ?? new Uint8Array(await crypto.subtle.digest('SHA-256', old));
  const next = old.slice();
  writeU32(next, OFF_KEY_ID, primary.keyId);
  const iv = crypto.getRandomValues(new Uint8Array(OFF_WRAPPED - OFF_WRAP_IV));
  try {
    const fek = await crypto.subtle.unwrapKey(
      'raw',
      old.subarray(OFF_WRAPPED),
      oldKey,
      { name: 'AES-GCM', iv: old.subarray(OFF_WRAP_IV, OFF_WRAPPED), additionalData: fekWrapAad(keys.dbId, fields.fileId, fields.fileKeyId), tagLength: 128 },
      FEK_ALGORITHM,
      true, // extractable only so that it can be wrapped again, right below
      ['encrypt', 'decrypt'],
    );
    const wrapped = await crypto.subtle.wrapKey('raw', fek, primary.key, {
      name: 'AES-GCM',
      iv,
      additionalData: fekWrapAad(keys.dbId, fields.fileId, primary.keyId),
      tagLength: 128,
    });
    next.set(iv, OFF_WRAP_IV);
    next.set(new Uint8Array(wrapped), OFF_WRAPPED);
    const context = await openFileHeader(keys, next, ['decrypt'], headerHash);
    if (row.meta !== undefined) await openFileMeta(context, row.meta);
  } catch {
    return undefined;
  }
  return { header: next, headerHash };
}

const needsRewrap = (primaryId: number) => (row: FileRow) => {
  const id = headerKeyId(row.header);
  return row.state === 'committed' && id !== undefined && id !== primaryId;
};

/**
 * Re-wraps the FEK of every committed encrypted file whose header is under an older file key,
 * under `keys.primary` (crypto.md §3.8: segments untouched, O(#files)). `keys.all` must hold the
 * old generations. Checklist:
 * - rows are read a batch at a time in id order, the crypto runs outside any transaction, then one
 *   rw transaction per batch writes the new headers;
 * - compare-and-set: a row is written only if its fileId and header bytes are unchanged since it
 *   was read, else another writer replaced it (its new version is under the primary) and it is
 *   skipped;
 * - the row keeps `headerHash` (H of the original header), which the segment AAD binds;
 * - resumable and idempotent without a cursor: rows already under the primary are not candidates,
 *   so a rerun after an interruption only does what is left.
 */
export async function rewrapFileHeaders(db: Dexie, keys: FileKeys, options: RewrapOptions = {}): Promise<RewrapResult> {
  const primary = keys.primary;
  if (primary === undefined) throw new KeyLostError('key-lost', 'Re-wrapping file headers needs a primary file key', { missing: 'file' });
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH));
  const { onProgress, signal } = options;
  const candidate = needsRewrap(primary.keyId);
  const total = await filesTable(db).filter(candidate).count();
  const result: RewrapResult = { rewrapped: 0, skipped: 0, failed: 0 };
  let done = 0;
  let after: string | undefined;
  onProgress?.(done, total);
  for (;;) {
    signal?.throwIfAborted();
    const page = await (after === undefined ? filesTable(db).orderBy('id') : filesTable(db).where('id').above(after)).limit(batchSize).toArray();
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    const updates: { row: FileRow; header: Uint8Array; headerHash: Uint8Array }[] = [];
    const candidates = page.filter(candidate);
    const rewrapped = await Promise.all(candidates.map((row) => rewrapRow(keys, primary, row)));
    rewrapped.forEach((next, i) => {
      if (next === undefined) result.failed++;
      else updates.push({ row: candidates[i]!, ...next });
    });
    if (updates.length > 0) {
      await db.transaction('rw', [FILES_STORE], async () => {
        for (const { row, header, headerHash } of updates) {
          const current = await filesTable(db).get(row.id);
          if (current === undefined || current.fileId !== row.fileId || !sameBytes(current.header, row.header)) {
            result.skipped++;
            continue;
          }
          await filesTable(db).put({ ...current, header, headerHash });
          result.rewrapped++;
        }
      });
    }
    done += candidates.length;
    onProgress?.(Math.min(done, total), total);
  }
  return result;
}

/**
 * How many committed encrypted file headers each file key generation wraps (keyId -> count).
 * A generation absent from the map wraps no file; destroy an old file key only then.
 */
export async function fileKeyIdsInUse(db: Dexie): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  await filesTable(db).each((row) => {
    const id = headerKeyId(row.header);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  return counts;
}
