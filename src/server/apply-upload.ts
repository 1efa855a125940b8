import { checkObjectId, normalizeObject, type AppDefinition } from '../app/index.js';
import { ValidationError } from '../core/errors.js';
import type { RejectReason, UploadChange, UploadResult } from '../core/sync-protocol.js';
import { canCreate } from '../rules/index.js';
import { quoteIdent, ID_COLUMN } from '../xpath/index.js';
import { creatableMembers, entityAccess, rightsOfRow, type AccessContext } from './access-sql.js';
import { ALIAS, rowsById } from './download-entity.js';
import { MUTATIONS_TABLE, nextSeq, tombstoneTable, VERSION_COLUMN } from './ensure-schema.js';
import { deleteReferenceSets, existingIds, insertRow, loadObjects, prepareColumns, updateRow, writeReferenceSets } from './object-rows.js';
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
async function checkReferences(tx: SqlExecutor, ac: AccessContext, entity: string, values: Record<string, unknown>): Promise<void> {
  for (const [member, assoc] of ac.app.entity(entity).references) {
    const v = values[member];
    if (v === null || v === undefined || !ac.app.entity(assoc.to).persistent) continue;
    const ids = Array.isArray(v) ? (v as string[]) : [v as string];
    const found = await existingIds(tx, assoc.to, ids, ac.dialect);
    if (ids.some((id) => !found.has(id))) {
      reject('dangling-reference', `${entity}: ${member} references an object that does not exist on the server`, { entity, member, target: assoc.to });
    }
  }
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
async function applyChange(tx: SqlExecutor, ac: AccessContext, c: UploadChange, seq: number): Promise<void> {
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
    const exists = (await existingIds(tx, c.entity, [c.id], dialect)).size > 0 || (await tombstoned(tx, ac, c.entity, c.id));
    if (exists) reject('duplicate-id', `${c.entity}: an object with this id exists or existed`, { entity: c.entity });
    await checkReferences(tx, ac, c.entity, values);
    const columns = prepareColumns(app, c.entity, values, dialect);
    await insertRow(tx, dialect, c.entity, c.id, columns, seq);
    await writeReferenceSets(tx, app, c.entity, c.id, values, dialect);
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
  await checkReferences(tx, ac, c.entity, changed);
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
    const results: UploadResult[] = [];
    for (const c of changes) {
      const find = new SqlBuilder(ac.dialect);
      const known = await tx.all(`SELECT result FROM ${MUTATIONS_TABLE} WHERE user_id = ${find.p(ac.user.id)} AND mutation_id = ${find.p(c.mutationId)}`, find.params);
      if (known.length > 0) {
        results.push(JSON.parse(String(known[0]!['result'])) as UploadResult);
        continue;
      }
      let result: UploadResult;
      try {
        await applyChange(tx, ac, c, seq);
        result = { mutationId: c.mutationId, status: 'applied' };
      } catch (error) {
        if (error instanceof Reject) result = { mutationId: c.mutationId, status: 'rejected', reason: error.reason };
        else if (error instanceof ValidationError) {
          const code = error.code === 'unknown-member' ? 'unknown-member' : 'invalid-value';
          result = { mutationId: c.mutationId, status: 'rejected', reason: { code, message: error.message, details: { ...error.details } } };
        } else throw error;
      }
      const save = new SqlBuilder(ac.dialect);
      await tx.run(
        `INSERT INTO ${MUTATIONS_TABLE} (user_id, mutation_id, result, seq) VALUES (${save.p(ac.user.id)}, ${save.p(c.mutationId)}, ${save.p(JSON.stringify(result))}, ${save.p(seq)})`,
        save.params,
      );
      results.push(result);
    }
    return results;
  });
}
