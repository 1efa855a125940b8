import type { AppDefinition, EntityDef } from '../app/index.js';
import { decodeSqlValue, defaultJunction, encodeSqlValue, quoteIdent, ID_COLUMN, type SqlDialect } from '../xpath/index.js';
import { digestColumnValues } from './digest-columns.js';
import { VERSION_COLUMN } from './ensure-schema.js';
import { SqlBuilder, type SqlExecutor, type SqlRow } from './sync-store.js';

/** A stored object in normalized form (`normalizeObject`): every member, empty as null. */
export type StoredObject = { id: string } & Record<string, unknown>;

/** Largest number of ids bound in one `IN (...)` list. */
const CHUNK = 500;

/** Splits `items` into chunks that fit one statement. */
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Reference-set associations owned by `def` (stored in junction tables). */
function referenceSets(def: EntityDef): string[] {
  return [...def.references.values()].filter((a) => a.type === 'reference-set').map((a) => a.name);
}

/** The object a row holds (attributes and references; reference sets come from `loadObjects`). */
function decodeRow(def: EntityDef, row: SqlRow, dialect: SqlDialect): StoredObject {
  const out: StoredObject = { id: String(row[ID_COLUMN]) };
  for (const attr of def.attributes.values()) out[attr.name] = decodeSqlValue(attr, row[attr.name], dialect);
  for (const assoc of def.references.values()) {
    if (assoc.type === 'reference') out[assoc.name] = row[assoc.name] === null || row[assoc.name] === undefined ? null : String(row[assoc.name]);
    else out[assoc.name] = null;
  }
  return out;
}

/** Decodes rows into objects, filling reference sets from their junction tables (sorted ids). */
export async function loadObjects(tx: SqlExecutor, app: AppDefinition, entity: string, dialect: SqlDialect, rows: readonly SqlRow[]): Promise<StoredObject[]> {
  const def = app.entity(entity);
  const objects = rows.map((r) => decodeRow(def, r, dialect));
  const sets = referenceSets(def);
  if (sets.length === 0 || objects.length === 0) return objects;
  const byId = new Map(objects.map((o) => [o.id, o]));
  const q = (n: string): string => quoteIdent(n, dialect);
  for (const name of sets) {
    const j = defaultJunction(name);
    for (const part of chunks(objects.map((o) => o.id))) {
      const b = new SqlBuilder(dialect);
      const sql = `SELECT ${q(j.fromColumn)} AS f, ${q(j.toColumn)} AS t FROM ${q(j.table)} WHERE ${q(j.fromColumn)} IN (${b.list(part)}) ORDER BY ${q(j.toColumn)}`;
      for (const r of await tx.all(sql, b.params)) {
        const o = byId.get(String(r['f']))!;
        const list = (o[name] as string[] | null) ?? [];
        list.push(String(r['t']));
        o[name] = list;
      }
    }
  }
  return objects;
}

/** Column values of the row for the given normalized members (attributes and references). */
function encodeMembers(def: EntityDef, values: Record<string, unknown>, dialect: SqlDialect): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [name, value] of Object.entries(values)) {
    const attr = def.attributes.get(name);
    if (attr !== undefined) out.push([name, encodeSqlValue(attr, value, dialect)]);
    else if (def.references.get(name)?.type === 'reference') out.push([name, value]);
  }
  return out;
}

/** Encodes before any write, so a value the database cannot hold is rejected before anything changes. */
export function prepareColumns(app: AppDefinition, entity: string, values: Record<string, unknown>, dialect: SqlDialect): [string, unknown][] {
  return encodeMembers(app.entity(entity), values, dialect);
}

/** Inserts a new row with `columns` (from `prepareColumns`) at version `seq` (with its digest columns). */
export async function insertRow(tx: SqlExecutor, dialect: SqlDialect, table: string, id: string, columns: readonly [string, unknown][], seq: number): Promise<void> {
  await insertRows(tx, dialect, table, [{ id, columns }], seq);
}

/**
 * Inserts new rows at version `seq` in multi-row statements (bulk seeding, imports). Every row
 * must name the same columns in the same order (from `prepareColumns` of equally shaped values).
 */
export async function insertRows(
  tx: SqlExecutor,
  dialect: SqlDialect,
  table: string,
  rows: readonly { id: string; columns: readonly [string, unknown][] }[],
  seq: number,
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const q = (n: string): string => quoteIdent(n, dialect);
  const digestNames = digestColumnValues(first.id, seq).map(([c]) => c);
  const names = [ID_COLUMN, ...first.columns.map(([c]) => c), VERSION_COLUMN, ...digestNames].map(q).join(', ');
  const perRow = first.columns.length + 2 + digestNames.length;
  for (const part of chunks(rows, Math.max(1, Math.floor(30_000 / perRow)))) {
    const b = new SqlBuilder(dialect);
    const row = (r: (typeof rows)[number]): string[] => [b.p(r.id), ...r.columns.map(([, v]) => b.p(v)), b.p(seq), ...digestColumnValues(r.id, seq).map(([, v]) => b.p(v))];
    const values = part.map((r) => `(${row(r).join(', ')})`).join(', ');
    await tx.run(`INSERT INTO ${q(table)} (${names}) VALUES ${values}`, b.params);
  }
}

/** Updates `columns` of a live row and sets its version to `seq` (and its digest columns with it). */
export async function updateRow(tx: SqlExecutor, dialect: SqlDialect, table: string, id: string, columns: readonly [string, unknown][], seq: number): Promise<void> {
  const q = (n: string): string => quoteIdent(n, dialect);
  const b = new SqlBuilder(dialect);
  const sets = [...columns, [VERSION_COLUMN, seq] as const, ...digestColumnValues(id, seq)].map(([c, v]) => `${q(c)} = ${b.p(v)}`).join(', ');
  await tx.run(`UPDATE ${q(table)} SET ${sets} WHERE ${q(ID_COLUMN)} = ${b.p(id)}`, b.params);
}

/** Replaces the junction rows of the reference sets named in `values`. */
export async function writeReferenceSets(tx: SqlExecutor, app: AppDefinition, entity: string, id: string, values: Record<string, unknown>, dialect: SqlDialect): Promise<void> {
  const q = (n: string): string => quoteIdent(n, dialect);
  for (const name of referenceSets(app.entity(entity))) {
    if (!(name in values)) continue;
    const j = defaultJunction(name);
    const del = new SqlBuilder(dialect);
    await tx.run(`DELETE FROM ${q(j.table)} WHERE ${q(j.fromColumn)} = ${del.p(id)}`, del.params);
    for (const to of (values[name] as string[] | null) ?? []) {
      const ins = new SqlBuilder(dialect);
      await tx.run(`INSERT INTO ${q(j.table)} (${q(j.fromColumn)}, ${q(j.toColumn)}) VALUES (${ins.p(id)}, ${ins.p(to)})`, ins.params);
    }
  }
}

/** Deletes every junction row the object owns (its reference sets). */
export async function deleteReferenceSets(tx: SqlExecutor, app: AppDefinition, entity: string, id: string, dialect: SqlDialect): Promise<void> {
  const all: Record<string, unknown> = {};
  for (const name of referenceSets(app.entity(entity))) all[name] = null;
  await writeReferenceSets(tx, app, entity, id, all, dialect);
}

/** The ids among `ids` that exist in the live table of `entity`. */
export async function existingIds(tx: SqlExecutor, entity: string, ids: readonly string[], dialect: SqlDialect): Promise<Set<string>> {
  const found = new Set<string>();
  const q = (n: string): string => quoteIdent(n, dialect);
  for (const part of chunks([...new Set(ids)])) {
    const b = new SqlBuilder(dialect);
    const rows = await tx.all(`SELECT ${q(ID_COLUMN)} AS id FROM ${q(entity)} WHERE ${q(ID_COLUMN)} IN (${b.list(part)})`, b.params);
    for (const r of rows) found.add(String(r['id']));
  }
  return found;
}
