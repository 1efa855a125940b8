import type { DownloadObject, EntityDownloadRequest, EntityDownloadResponse, Removal, RemovalReason, VisibleSetDigest } from '../core/sync-protocol.js';
import { computeVisibleSetDigest, digestBucketCountFor, digestBucketOf } from '../core/visible-set-digest.js';
import { quoteIdent, ID_COLUMN } from '../xpath/index.js';
import { entityAccess, flagColumns, mayReadEntity, profileCondition, readCondition, rightsOfRow, versionToken, type AccessContext, type EntityAccess } from './access-sql.js';
import { completeCheckpoint, parseCheckpoint, partialCheckpoint, startingPoint, type StreamCursor } from './checkpoint.js';
import { readMeta, tombstoneTable, VERSION_COLUMN } from './ensure-schema.js';
import { chunks, loadObjects } from './object-rows.js';
import { withFileInfo } from './file-tables.js';
import { SqlBuilder, type SqlExecutor, type SqlRow } from './sync-store.js';
import { sqlVisibleDigest, visibleInBuckets } from './visible-digest-sql.js';

/** Alias of the entity's table in every query of the server (rule SQL is compiled against it). */
export const ALIAS = 'ov_t';

/** Builds upserts (readable members only) from rows selected with `flagColumns`. */
export async function toUpserts(tx: SqlExecutor, ac: AccessContext, ea: EntityAccess, rows: readonly SqlRow[]): Promise<DownloadObject[]> {
  const objects = await loadObjects(tx, ac.app, ea.entity, ac.dialect, rows);
  const out: DownloadObject[] = [];
  rows.forEach((row, i) => {
    const rights = rightsOfRow(ac.app, ea, row);
    if (rights.read.length === 0) return; // defence in depth: the query already filtered
    const object = objects[i]!;
    const values: Record<string, unknown> = {};
    for (const m of rights.read) values[m] = object[m] ?? null;
    out.push({ id: object.id, version: versionToken(Number(row[VERSION_COLUMN]), rights), values });
  });
  // File entities: each upsert names its contents' version (docs/protocol.md §7).
  return ac.app.entity(ea.entity).file === undefined ? out : withFileInfo(tx, ac.dialect, ea.entity, out);
}

/** `(v > seq OR (v = seq AND id > lastId))`: items after the cursor. */
function after(b: SqlBuilder, c: StreamCursor): string {
  const q = (n: string): string => `${quoteIdent(ALIAS, b.dialect)}.${quoteIdent(n, b.dialect)}`;
  if (c.id === null) return `${q(VERSION_COLUMN)} > ${b.p(c.seq)}`;
  return `(${q(VERSION_COLUMN)} > ${b.p(c.seq)} OR (${q(VERSION_COLUMN)} = ${b.p(c.seq)} AND ${q(ID_COLUMN)} > ${b.p(c.id)}))`;
}

/** One page of a stream (live rows or tombstones) of visible items after the cursor. */
async function page(tx: SqlExecutor, ac: AccessContext, ea: EntityAccess, table: string, cursor: StreamCursor, limit: number, full: boolean): Promise<SqlRow[]> {
  const b = new SqlBuilder(ac.dialect);
  const t = quoteIdent(ALIAS, ac.dialect);
  const cols = full ? `${t}.*${flagColumns(b, ea)}` : `${t}.${quoteIdent(ID_COLUMN, ac.dialect)}, ${t}.${quoteIdent(VERSION_COLUMN, ac.dialect)}`;
  const sql =
    `SELECT ${cols} FROM ${quoteIdent(table, ac.dialect)} AS ${t} WHERE ${after(b, cursor)} AND ${readCondition(b, ea)} ` +
    `AND ${profileCondition(b, ac, ea.entity, ALIAS)} ORDER BY ${t}.${quoteIdent(VERSION_COLUMN, ac.dialect)}, ${t}.${quoteIdent(ID_COLUMN, ac.dialect)} LIMIT ${limit + 1}`;
  return tx.all(sql, b.params);
}

/** Every visible object's id and version token (JS digest fallback, see visible-digest-sql.ts). */
async function visibleSet(tx: SqlExecutor, ac: AccessContext, ea: EntityAccess): Promise<Map<string, string>> {
  const b = new SqlBuilder(ac.dialect);
  const t = quoteIdent(ALIAS, ac.dialect);
  const sql =
    `SELECT ${t}.${quoteIdent(ID_COLUMN, ac.dialect)}, ${t}.${quoteIdent(VERSION_COLUMN, ac.dialect)}${flagColumns(b, ea)} ` +
    `FROM ${quoteIdent(ea.entity, ac.dialect)} AS ${t} WHERE ${readCondition(b, ea)} AND ${profileCondition(b, ac, ea.entity, ALIAS)}`;
  const out = new Map<string, string>();
  for (const row of await tx.all(sql, b.params)) {
    out.set(String(row[ID_COLUMN]), versionToken(Number(row[VERSION_COLUMN]), rightsOfRow(ac.app, ea, row)));
  }
  return out;
}

/** Full live rows (with rule flags, see `rightsOfRow`) of the given ids; missing ids have no row. */
export async function rowsById(tx: SqlExecutor, ac: AccessContext, ea: EntityAccess, ids: readonly string[]): Promise<SqlRow[]> {
  const out: SqlRow[] = [];
  const t = quoteIdent(ALIAS, ac.dialect);
  for (const part of chunks(ids)) {
    const b = new SqlBuilder(ac.dialect);
    const sql = `SELECT ${t}.*${flagColumns(b, ea)} FROM ${quoteIdent(ea.entity, ac.dialect)} AS ${t} WHERE ${t}.${quoteIdent(ID_COLUMN, ac.dialect)} IN (${b.list(part)})`;
    out.push(...(await tx.all(sql, b.params)));
  }
  return out;
}

/** Why a held object is not visible: gone, unreadable, or readable but outside the profile XPath. */
async function removalReasons(tx: SqlExecutor, ac: AccessContext, ea: EntityAccess, ids: readonly string[]): Promise<Removal[]> {
  const rows = new Map((await rowsById(tx, ac, ea, ids)).map((r) => [String(r[ID_COLUMN]), r]));
  return ids.map((id): Removal => {
    const row = rows.get(id);
    const reason: RemovalReason = row === undefined ? 'deleted' : rightsOfRow(ac.app, ea, row).read.length === 0 ? 'access-lost' : 'filter';
    return { id, reason };
  });
}

/** The download answer for one entity of a full sync (docs/protocol.md §4), inside one read snapshot. */
export async function downloadEntity(tx: SqlExecutor, ac: AccessContext, entity: string, req: EntityDownloadRequest, pageSize: number): Promise<EntityDownloadResponse> {
  const mode = ac.app.syncProfile.get(entity)?.mode ?? 'all';
  const parsed = parseCheckpoint(req.checkpoint);
  const none = { mode, checkpoint: req.checkpoint, upserts: [], removals: [], hasMore: false } as const;
  if (mode === 'nothing-preserve' || mode === 'never') return none;
  if (mode === 'nothing-clear') return { ...none, clear: 'cleared' };
  const meta = await readMeta(tx);
  const ea = entityAccess(ac, entity, ALIAS);
  if (!mayReadEntity(ea)) return { ...none, checkpoint: completeCheckpoint(meta.dbId, meta.seq), clear: 'access-lost' };
  const from = startingPoint(parsed, meta.dbId, meta.seq);
  const rows = await page(tx, ac, ea, entity, from.rows, pageSize, true);
  const tombs = from.initial ? [] : await page(tx, ac, ea, tombstoneTable(entity), from.tombs, pageSize, false);
  const hasMore = rows.length > pageSize || tombs.length > pageSize;
  rows.splice(pageSize);
  tombs.splice(pageSize);
  const upserts = await toUpserts(tx, ac, ea, rows);
  const removals: Removal[] = tombs.map((r) => ({ id: String(r[ID_COLUMN]), reason: 'deleted' }));
  if (hasMore) {
    const cursor = (list: SqlRow[], prev: StreamCursor): StreamCursor => {
      const last = list[list.length - 1];
      return last === undefined ? prev : { seq: Number(last[VERSION_COLUMN]), id: String(last[ID_COLUMN]) };
    };
    const next = { ...from, rows: cursor(rows, from.rows), tombs: cursor(tombs, from.tombs) };
    return { mode, checkpoint: partialCheckpoint(next), upserts, removals, hasMore };
  }
  const digest = await visibleDigest(tx, ac, ea, req.reconcile, upserts, removals);
  return { mode, checkpoint: completeCheckpoint(meta.dbId, meta.seq), upserts, removals, hasMore: false, digest };
}

/**
 * The digest of the visible set, after adding the reconciliation's upserts and removals. The
 * database computes it when it can (no per-row work in JS); else every visible row is hashed here.
 */
async function visibleDigest(
  tx: SqlExecutor,
  ac: AccessContext,
  ea: EntityAccess,
  rec: EntityDownloadRequest['reconcile'],
  upserts: DownloadObject[],
  removals: Removal[],
): Promise<VisibleSetDigest> {
  const digest = await sqlVisibleDigest(tx, ac, ea);
  if (digest !== null) {
    if (rec !== undefined) await reconcile(tx, ac, ea, rec, await visibleInBuckets(tx, ac, ea, rec.bucketCount, rec.buckets), upserts, removals);
    return digest;
  }
  const visible = await visibleSet(tx, ac, ea);
  if (rec !== undefined) await reconcile(tx, ac, ea, rec, visible, upserts, removals);
  return computeVisibleSetDigest(visible, digestBucketCountFor(visible.size));
}

/** Adds what differs in the reconciled buckets: objects the client lacks or holds stale, and removals. */
async function reconcile(
  tx: SqlExecutor,
  ac: AccessContext,
  ea: EntityAccess,
  rec: NonNullable<EntityDownloadRequest['reconcile']>,
  /** Visible objects (id → version token), at least those in the reconciled buckets. */
  visible: Map<string, string>,
  upserts: DownloadObject[],
  removals: Removal[],
): Promise<void> {
  const buckets = new Set(rec.buckets);
  const inScope = (id: string): boolean => buckets.has(digestBucketOf(id, rec.bucketCount));
  const have = new Map<string, string>();
  for (const [id, version] of rec.have) if (inScope(id)) have.set(id, version);
  const sent = new Set([...upserts.map((u) => u.id), ...removals.map((r) => r.id)]);
  const fetch: string[] = [];
  for (const [id, token] of visible) if (inScope(id) && have.get(id) !== token && !sent.has(id)) fetch.push(id);
  upserts.push(...(await toUpserts(tx, ac, ea, await rowsById(tx, ac, ea, fetch))));
  const gone = [...have.keys()].filter((id) => !visible.has(id) && !sent.has(id));
  removals.push(...(await removalReasons(tx, ac, ea, gone)));
}

/** Selective sync of one entity: each id as the user may read it, or its removal reason. */
export async function downloadObjects(tx: SqlExecutor, ac: AccessContext, entity: string, ids: readonly string[]): Promise<{ upserts: DownloadObject[]; removals: Removal[] }> {
  const ea = entityAccess(ac, entity, ALIAS);
  const unique = [...new Set(ids)];
  const rows = await rowsById(tx, ac, ea, unique);
  const upserts = await toUpserts(tx, ac, ea, rows);
  const got = new Set(upserts.map((u) => u.id));
  const removals = await removalReasons(tx, ac, ea, unique.filter((id) => !got.has(id)));
  // Selective sync ignores the profile: a readable object is never removed with reason 'filter'.
  return { upserts, removals: removals.filter((r) => r.reason !== 'filter') };
}
