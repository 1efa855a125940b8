import { checkObjectId, normalizeObject, type AppDefinition } from '../app/index.js';
import { ValidationError } from '../core/errors.js';
import type { RejectReason, UploadChange, UploadResult } from '../core/sync-protocol.js';
import { canCreate } from '../rules/index.js';
import { quoteIdent, ID_COLUMN } from '../xpath/index.js';
import { creatableMembers, entityAccess, rightsOfRow, type AccessContext } from './access-sql.js';
import { ALIAS, rowsById } from './download-entity.js';
import { MUTATIONS_TABLE, nextSeq, tombstoneTable, VERSION_COLUMN } from './ensure-schema.js';
import { claimPendingFile, deleteFileContents } from './file-tables.js';
import { chunks, deleteReferenceSets, existingIds, insertRow, loadObjects, prepareColumns, updateRow, writeReferenceSets } from './object-rows.js';
import { SqlBuilder, type SqlExecutor, type SyncStore } from './sync-store.js';

/** A per-change rejection (never escapes `applyUpload`). */
class Reject extends Error {
  constructor(readonly reason: RejectReason) {
    super(reason.message);
  }
}

function reject(code: string, message: string, details?: Record<string, unknown>): never {
  throw new Reject({ code, message, ...(details === undefined ? {} : { details }) });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text the databases cannot store faithfully (PostgreSQL rejects NUL; lone surrogates would be replaced). */
export function unstorableText(s: string): boolean {
  return s.includes('\u0000') || LONE_SURROGATE.test(s);
}

function checkText(entity: string, values: Record<string, unknown>): void {
  for (const [member, v] of Object.entries(values)) {
    const texts = Array.isArray(v) ? v : [v];
    if (texts.some((t) => typeof t === 'string' && unstorableText(t))) {
      reject('invalid-value', `${entity}: ${member} contains a NUL character or an unpaired surrogate`, { entity, member, rule: 'text' });
    }
  }
}

/** Equal stored values (reference sets compare as sets). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
  return (a ?? null) === (b ?? null);
}

/** Rejects references to objects that do not exist on the server (Mendix: dangling reference). */
async function checkReferences(tx: SqlExecutor, ac: AccessContext, entity: string, values: Record<string, unknown>, known: KnownIds): Promise<void> {
  for (const [member, assoc] of ac.app.entity(entity).references) {
    const v = values[member];
    if (v === null || v === undefined || !ac.app.entity(assoc.to).persistent) continue;
    const ids = Array.isArray(v) ? (v as string[]) : [v as string];
    const seen = known.of(assoc.to);
    const unknown = ids.filter((id) => !seen.has(id));
    if (unknown.length > 0) for (const id of await existingIds(tx, assoc.to, unknown, ac.dialect)) seen.add(id);
    if (ids.some((id) => !seen.has(id))) {
      reject('dangling-reference', `${entity}: ${member} references an object that does not exist on the server`, { entity, member, target: assoc.to });
    }
  }
}

/** Ids known to exist during one upload (saves a query per reference to the same object). */
class KnownIds {
  private readonly byEntity = new Map<string, Set<string>>();
  of(entity: string): Set<string> {
    let set = this.byEntity.get(entity);
    if (set === undefined) this.byEntity.set(entity, (set = new Set()));
    return set;
  }
}

/** Whether the id is taken: by a live object or by a deleted one (ids are never reused). */
async function idTaken(tx: SqlExecutor, ac: AccessContext, entity: string, id: string): Promise<boolean> {
  const q = (n: string): string => quoteIdent(n, ac.dialect);
  const b = new SqlBuilder(ac.dialect);
  const sql =
    `SELECT 1 AS x FROM ${q(entity)} WHERE ${q(ID_COLUMN)} = ${b.p(id)} ` +
    `UNION ALL SELECT 1 AS x FROM ${q(tombstoneTable(entity))} WHERE ${q(ID_COLUMN)} = ${b.p(id)}`;
  return (await tx.all(sql, b.params)).length > 0;
}

async function tombstoned(tx: SqlExecutor, ac: AccessContext, entity: string, id: string): Promise<boolean> {
  const b = new SqlBuilder(ac.dialect);
  const rows = await tx.all(`SELECT 1 AS x FROM ${quoteIdent(tombstoneTable(entity), ac.dialect)} WHERE ${quoteIdent(ID_COLUMN, ac.dialect)} = ${b.p(id)}`, b.params);
  return rows.length > 0;
}

/** Moves the live row to the tombstone table at version `seq`, with its junction rows removed. */
async function moveToTombstone(tx: SqlExecutor, app: AppDefinition, ac: AccessContext, entity: string, id: string, seq: number): Promise<void> {
  const q = (n: string): string => quoteIdent(n, ac.dialect);
  const def = app.entity(entity);
  const cols = [ID_COLUMN, ...def.attributes.keys(), ...[...def.references.values()].filter((a) => a.type === 'reference').map((a) => a.name)].map(q).join(', ');
  const del = new SqlBuilder(ac.dialect);
  await tx.run(`DELETE FROM ${q(tombstoneTable(entity))} WHERE ${q(ID_COLUMN)} = ${del.p(id)}`, del.params);
  const ins = new SqlBuilder(ac.dialect);
  await tx.run(`INSERT INTO ${q(tombstoneTable(entity))} (${cols}, ${q(VERSION_COLUMN)}) SELECT ${cols}, ${ins.p(seq)} FROM ${q(entity)} WHERE ${q(ID_COLUMN)} = ${ins.p(id)}`, ins.params);
  const rm = new SqlBuilder(ac.dialect);
  await tx.run(`DELETE FROM ${q(entity)} WHERE ${q(ID_COLUMN)} = ${rm.p(id)}`, rm.params);
  await deleteReferenceSets(tx, app, entity, id, ac.dialect);
}

/** Applies one change at version `seq`, or throws `Reject` before writing anything. */
async function applyChange(tx: SqlExecutor, ac: AccessContext, c: UploadChange, seq: number, known: KnownIds): Promise<void> {
  const { app, dialect } = ac;
  const def = app.entities.get(c.entity);
  if (def === undefined) reject('unknown-entity', `Unknown entity ${c.entity}`, { entity: c.entity });
  if (!def.persistent) reject('not-persistent', `${c.entity} is memory-only and is never uploaded`, { entity: c.entity });
  try {
    checkObjectId(c.entity, c.id);
  } catch {
    reject('invalid-id', `${c.entity}: object id is invalid`, { entity: c.entity });
  }
  if (unstorableText(c.id)) reject('invalid-id', `${c.entity}: object id is invalid`, { entity: c.entity });
  const ea = entityAccess(ac, c.entity, ALIAS);
  if (c.op === 'create') {
    if (!canCreate(app, c.entity, ac.user)) reject('create-denied', `No rule lets the user create ${c.entity}`, { entity: c.entity });
    const values = normalizeObject(def, c.values ?? {}, { id: c.id });
    checkText(c.entity, values);
    const creatable = creatableMembers(app, ea);
    for (const [m, v] of Object.entries(values)) {
      if (v !== null && !creatable.has(m)) reject('write-denied', `${c.entity}: no rule lets the user set ${m}`, { entity: c.entity, member: m });
    }
    if (await idTaken(tx, ac, c.entity, c.id)) reject('duplicate-id', `${c.entity}: an object with this id exists or existed`, { entity: c.entity });
    await checkReferences(tx, ac, c.entity, values, known);
    const columns = prepareColumns(app, c.entity, values, dialect);
    await insertRow(tx, dialect, c.entity, c.id, columns, seq);
    await writeReferenceSets(tx, app, c.entity, c.id, values, dialect);
    if (def.file !== undefined) await claimPendingFile(tx, dialect, c.entity, c.id, ac.user.id);
    known.of(c.entity).add(c.id);
    return;
  }
  const [row] = await rowsById(tx, ac, ea, [c.id]);
  if (row === undefined) {
    if (c.op === 'delete' && (await tombstoned(tx, ac, c.entity, c.id))) return; // already deleted
    reject('not-found', `${c.entity}: no such object`, { entity: c.entity });
  }
  const rights = rightsOfRow(app, ea, row);
  if (c.op === 'delete') {
    if (!rights.delete) {
      if (rights.read.length === 0) reject('not-found', `${c.entity}: no such object`, { entity: c.entity });
      reject('delete-denied', `No rule lets the user delete this ${c.entity}`, { entity: c.entity });
    }
    await moveToTombstone(tx, app, ac, c.entity, c.id, seq);
    if (def.file !== undefined) await deleteFileContents(tx, dialect, c.entity, c.id);
    known.of(c.entity).delete(c.id);
    return;
  }
  if (rights.read.length === 0) reject('not-found', `${c.entity}: no such object`, { entity: c.entity });
  const values = normalizeObject(def, c.values ?? {}, { id: c.id, partial: true });
  checkText(c.entity, values);
  const [stored] = await loadObjects(tx, app, c.entity, dialect, [row]);
  const changed: Record<string, unknown> = {};
  for (const [m, v] of Object.entries(values)) {
    if (sameValue(v, stored![m])) continue; // an unchanged member is not a write
    if (!rights.write.has(m)) reject('write-denied', `${c.entity}: the user may not write ${m} of this object`, { entity: c.entity, member: m });
    changed[m] = v;
  }
  if (Object.keys(changed).length === 0) return;
  await checkReferences(tx, ac, c.entity, changed, known);
  const columns = prepareColumns(app, c.entity, changed, dialect);
  await updateRow(tx, dialect, c.entity, c.id, columns, seq);
  await writeReferenceSets(tx, app, c.entity, c.id, changed, dialect);
}

/**
 * Applies an upload in one write transaction (docs/protocol.md §3). Checklist:
 * - the sequence counter is taken first: writers serialize, versions follow commit order;
 * - a known (user, mutationId) returns its stored result and applies nothing;
 * - every rejection is decided before the change writes anything, so no savepoint is needed;
 * - each result is stored in the same transaction as its change;
 * - anything but a rejection (a database fault) rolls the whole upload back and is rethrown.
 */
export async function applyUpload(store: SyncStore, ac: AccessContext, changes: readonly UploadChange[]): Promise<UploadResult[]> {
  return store.transaction('write', async (tx) => {
    const seq = await nextSeq(tx);
    const stored = new Map<string, UploadResult>();
    for (const part of chunks([...new Set(changes.map((c) => c.mutationId))])) {
      const find = new SqlBuilder(ac.dialect);
      const sql = `SELECT mutation_id, result FROM ${MUTATIONS_TABLE} WHERE user_id = ${find.p(ac.user.id)} AND mutation_id IN (${find.list(part)})`;
      for (const r of await tx.all(sql, find.params)) stored.set(String(r['mutation_id']), JSON.parse(String(r['result'])) as UploadResult);
    }
    const known = new KnownIds();
    const results: UploadResult[] = [];
    const fresh: UploadResult[] = [];
    for (const c of changes) {
      const earlier = stored.get(c.mutationId);
      if (earlier !== undefined) {
        results.push(earlier);
        continue;
      }
      let result: UploadResult;
      try {
        await applyChange(tx, ac, c, seq, known);
        result = { mutationId: c.mutationId, status: 'applied' };
      } catch (error) {
        if (error instanceof Reject) result = { mutationId: c.mutationId, status: 'rejected', reason: error.reason };
        else if (error instanceof ValidationError) {
          const code = error.code === 'unknown-member' ? 'unknown-member' : 'invalid-value';
          result = { mutationId: c.mutationId, status: 'rejected', reason: { code, message: error.message, details: { ...error.details } } };
        } else throw error;
      }
      stored.set(c.mutationId, result);
      fresh.push(result);
      results.push(result);
    }
    for (const part of chunks(fresh, 200)) {
      const save = new SqlBuilder(ac.dialect);
      const rows = part.map((r) => `(${save.p(ac.user.id)}, ${save.p(r.mutationId)}, ${save.p(JSON.stringify(r))}, ${save.p(seq)})`).join(', ');
      await tx.run(`INSERT INTO ${MUTATIONS_TABLE} (user_id, mutation_id, result, seq) VALUES ${rows}`, save.params);
    }
    return results;
  });
}
