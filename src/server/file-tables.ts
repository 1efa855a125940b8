import type { SqlDialect } from '../xpath/index.js';
import { SqlBuilder, type SqlExecutor } from './sync-store.js';

/*
 * File contents of the reference server (docs/protocol.md §7), in the database:
 * - `ov_files`: the current contents of an object: content version (a sequence number), size,
 *   type; `pending_user` is set while the object does not exist yet (uploaded before its create:
 *   only that user's create of the object claims it, see `claimPendingFile`);
 * - `ov_file_chunks`: the bytes, one row per chunk, keyed by content version, so a reader of an
 *   older version never gets chunks of a newer one;
 * - `ov_file_uploads` / `ov_file_upload_chunks`: uploads in progress (resumable), per user.
 */

export const FILES_TABLE = 'ov_files';
export const FILE_CHUNKS_TABLE = 'ov_file_chunks';
export const UPLOADS_TABLE = 'ov_file_uploads';
export const UPLOAD_CHUNKS_TABLE = 'ov_file_upload_chunks';

/** Creates the file tables (idempotent; part of `ensureSchema`). */
export async function ensureFileTables(tx: SqlExecutor, dialect: SqlDialect): Promise<void> {
  const blob = dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
  await tx.run(
    `CREATE TABLE IF NOT EXISTS ${FILES_TABLE} (entity TEXT NOT NULL, object_id TEXT NOT NULL, version BIGINT NOT NULL, size BIGINT NOT NULL, ` +
      'content_type TEXT NOT NULL, chunk_size INTEGER NOT NULL, pending_user TEXT, PRIMARY KEY (entity, object_id))',
  );
  await tx.run(
    `CREATE TABLE IF NOT EXISTS ${FILE_CHUNKS_TABLE} (entity TEXT NOT NULL, object_id TEXT NOT NULL, version BIGINT NOT NULL, idx INTEGER NOT NULL, ` +
      `data ${blob} NOT NULL, PRIMARY KEY (entity, object_id, version, idx))`,
  );
  await tx.run(
    `CREATE TABLE IF NOT EXISTS ${UPLOADS_TABLE} (upload_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, entity TEXT NOT NULL, object_id TEXT NOT NULL, ` +
      'size BIGINT NOT NULL, content_type TEXT NOT NULL, chunk_size INTEGER NOT NULL, chunk_count INTEGER NOT NULL, version BIGINT, created_at TEXT NOT NULL)',
  );
  await tx.run(
    `CREATE TABLE IF NOT EXISTS ${UPLOAD_CHUNKS_TABLE} (upload_id TEXT NOT NULL, idx INTEGER NOT NULL, data ${blob} NOT NULL, PRIMARY KEY (upload_id, idx))`,
  );
}

/** The current contents of an object (claimed only), or undefined. */
export interface StoredFile {
  version: number;
  size: number;
  contentType: string;
  chunkSize: number;
}

/** The claimed contents of each of `ids` (objects without contents are missing from the map). */
export async function storedFiles(tx: SqlExecutor, dialect: SqlDialect, entity: string, ids: readonly string[]): Promise<Map<string, StoredFile>> {
  const out = new Map<string, StoredFile>();
  for (let at = 0; at < ids.length; at += 500) {
    const b = new SqlBuilder(dialect);
    const sql =
      `SELECT object_id, version, size, content_type, chunk_size FROM ${FILES_TABLE} WHERE entity = ${b.p(entity)} ` +
      `AND pending_user IS NULL AND object_id IN (${b.list(ids.slice(at, at + 500))})`;
    for (const r of await tx.all(sql, b.params)) {
      out.set(String(r['object_id']), {
        version: Number(r['version']),
        size: Number(r['size']),
        contentType: String(r['content_type']),
        chunkSize: Number(r['chunk_size']),
      });
    }
  }
  return out;
}

/** Bytes of chunk `idx` of a content version, or undefined when that version is gone. */
export async function readChunk(tx: SqlExecutor, dialect: SqlDialect, entity: string, id: string, version: number, idx: number): Promise<Uint8Array | undefined> {
  const b = new SqlBuilder(dialect);
  const sql = `SELECT data FROM ${FILE_CHUNKS_TABLE} WHERE entity = ${b.p(entity)} AND object_id = ${b.p(id)} AND version = ${b.p(version)} AND idx = ${b.p(idx)}`;
  const [row] = await tx.all(sql, b.params);
  const data = row?.['data'];
  return data instanceof Uint8Array ? data : undefined;
}

/**
 * Makes a committed upload the object's contents at `version`: copies its chunks, drops older
 * versions' chunks and the upload's chunks. `pendingUser` set: the object does not exist yet.
 */
export async function installUpload(
  tx: SqlExecutor,
  dialect: SqlDialect,
  upload: { uploadId: string; entity: string; objectId: string; size: number; contentType: string; chunkSize: number },
  version: number,
  pendingUser: string | null,
): Promise<void> {
  const { entity, objectId: id } = upload;
  const copy = new SqlBuilder(dialect);
  await tx.run(
    `INSERT INTO ${FILE_CHUNKS_TABLE} (entity, object_id, version, idx, data) SELECT ${copy.p(entity)}, ${copy.p(id)}, ${copy.p(version)}, idx, data ` +
      `FROM ${UPLOAD_CHUNKS_TABLE} WHERE upload_id = ${copy.p(upload.uploadId)}`,
    copy.params,
  );
  const old = new SqlBuilder(dialect);
  await tx.run(`DELETE FROM ${FILE_CHUNKS_TABLE} WHERE entity = ${old.p(entity)} AND object_id = ${old.p(id)} AND version <> ${old.p(version)}`, old.params);
  const up = new SqlBuilder(dialect);
  await tx.run(
    `INSERT INTO ${FILES_TABLE} (entity, object_id, version, size, content_type, chunk_size, pending_user) VALUES (${up.p(entity)}, ${up.p(id)}, ` +
      `${up.p(version)}, ${up.p(upload.size)}, ${up.p(upload.contentType)}, ${up.p(upload.chunkSize)}, ${up.p(pendingUser)}) ` +
      'ON CONFLICT (entity, object_id) DO UPDATE SET version = excluded.version, size = excluded.size, content_type = excluded.content_type, ' +
      'chunk_size = excluded.chunk_size, pending_user = excluded.pending_user',
    up.params,
  );
  const done = new SqlBuilder(dialect);
  await tx.run(`DELETE FROM ${UPLOAD_CHUNKS_TABLE} WHERE upload_id = ${done.p(upload.uploadId)}`, done.params);
  const mark = new SqlBuilder(dialect);
  await tx.run(`UPDATE ${UPLOADS_TABLE} SET version = ${mark.p(version)} WHERE upload_id = ${mark.p(upload.uploadId)}`, mark.params);
}

/** Deletes an object's contents (all versions). */
export async function deleteFileContents(tx: SqlExecutor, dialect: SqlDialect, entity: string, id: string): Promise<void> {
  for (const table of [FILE_CHUNKS_TABLE, FILES_TABLE]) {
    const b = new SqlBuilder(dialect);
    await tx.run(`DELETE FROM ${table} WHERE entity = ${b.p(entity)} AND object_id = ${b.p(id)}`, b.params);
  }
}

/**
 * Called when `userId` creates object `id` (inside the upload's transaction): contents that user
 * uploaded before the create become the object's; contents anyone else uploaded for the id are
 * dropped, so nobody can plant a file on an object another user creates.
 */
export async function claimPendingFile(tx: SqlExecutor, dialect: SqlDialect, entity: string, id: string, userId: string): Promise<void> {
  const b = new SqlBuilder(dialect);
  const [row] = await tx.all(`SELECT pending_user FROM ${FILES_TABLE} WHERE entity = ${b.p(entity)} AND object_id = ${b.p(id)}`, b.params);
  if (row === undefined) return;
  if (row['pending_user'] === userId) {
    const c = new SqlBuilder(dialect);
    await tx.run(`UPDATE ${FILES_TABLE} SET pending_user = NULL WHERE entity = ${c.p(entity)} AND object_id = ${c.p(id)}`, c.params);
    return;
  }
  await deleteFileContents(tx, dialect, entity, id);
}

/** Adds `file: { version, size, contentType }` (or `file: null`) to download upserts of a file entity. */
export async function withFileInfo<T extends { id: string }>(tx: SqlExecutor, dialect: SqlDialect, entity: string, upserts: T[]): Promise<T[]> {
  const files = await storedFiles(tx, dialect, entity, upserts.map((u) => u.id));
  return upserts.map((u) => {
    const f = files.get(u.id);
    return { ...u, file: f === undefined ? null : { version: String(f.version), size: f.size, contentType: f.contentType } };
  });
}
