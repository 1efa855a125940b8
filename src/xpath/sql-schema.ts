import type { AppDefinition, AssociationDef, AttributeDef } from '../app/types.js';
import { canonicalDecimal } from '../app/normalize-value.js';
import { ValidationError } from '../core/errors.js';
import { decodeSortableDecimal, encodeSortableDecimal } from './sql-decimal.js';
import { quoteIdent, type SqlDialect } from './sql-dialect.js';

/*
 * Storage conventions shared by the SQL compiler (`toSql`) and the sync server's storage adapters:
 * - one table per persistent entity, named after the entity (`"Sales.Order"`), id column `"id"`
 *   TEXT primary key;
 * - one column per attribute, named after the attribute (`"TotalPrice"`);
 * - a reference is a TEXT column on the `from` entity's table, named after the association
 *   (`"Sales.Order_Customer"`), holding the referenced id or NULL;
 * - a reference set is a junction table named after the association with columns
 *   `"from_id"` (the owner, the `from` entity) and `"to_id"`, primary key (from_id, to_id);
 * - no foreign keys: sync may store a reference before the referenced object arrives.
 * Value encodings (`encodeSqlValue`): SQLite stores decimals in the sortable text encoding of
 * sql-decimal.ts, datetimes as ISO-8601 UTC text (`YYYY-MM-DDTHH:mm:ss.sssZ`, years 0001-9999 in both dialects),
 * booleans as 0/1; PostgreSQL uses numeric(28,8), timestamptz(3) and boolean.
 */

/** Id column of every entity table. */
export const ID_COLUMN = 'id';
/** Owner and target columns of every junction table. */
export const JUNCTION_FROM_COLUMN = 'from_id';
export const JUNCTION_TO_COLUMN = 'to_id';

/** Where a junction table and its columns are (unquoted names). */
export interface JunctionNames {
  readonly table: string;
  readonly fromColumn: string;
  readonly toColumn: string;
}

/**
 * Overrides of the default names (all unquoted; they are quoted by the caller). A server that keeps
 * its own naming passes the same overrides to `createTableSql` and `toSql`.
 */
export interface SqlNaming {
  /** Table of an entity; default: the entity name. */
  readonly tableOf?: (entity: string) => string;
  /** Column of an attribute or reference member; default: the member name. */
  readonly columnOf?: (entity: string, member: string) => string;
  /** Junction table of a reference set; default: the association name with from_id / to_id. */
  readonly junctionOf?: (association: string) => JunctionNames;
}

/** Default table name of an entity (unquoted). */
export function defaultTableName(entity: string): string {
  return entity;
}

/** Default column name of an attribute or reference member (unquoted). */
export function defaultColumnName(_entity: string, member: string): string {
  return member;
}

/** Default junction table of a reference-set association (unquoted names). */
export function defaultJunction(association: string): JunctionNames {
  return { table: association, fromColumn: JUNCTION_FROM_COLUMN, toColumn: JUNCTION_TO_COLUMN };
}

/** The naming with defaults filled in. */
export function resolveNaming(naming: SqlNaming = {}): Required<SqlNaming> {
  return {
    tableOf: naming.tableOf ?? defaultTableName,
    columnOf: naming.columnOf ?? defaultColumnName,
    junctionOf: naming.junctionOf ?? defaultJunction,
  };
}

/** SQL column type of an attribute in `dialect`. */
export function sqlColumnType(attr: AttributeDef, dialect: SqlDialect): string {
  switch (attr.type) {
    case 'string':
    case 'enum':
      return 'TEXT';
    case 'integer':
      return 'INTEGER';
    case 'long':
      return dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
    case 'decimal':
      return dialect === 'sqlite' ? 'TEXT' : 'NUMERIC(28, 8)';
    case 'boolean':
      return dialect === 'sqlite' ? 'INTEGER' : 'BOOLEAN';
    case 'datetime':
      return dialect === 'sqlite' ? 'TEXT' : 'TIMESTAMPTZ(3)';
  }
}

const SQLITE_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * ISO-8601 UTC text with a 4-digit year (0001-9999, the range both dialects store), whose byte
 * order is time order.
 */
export function encodeSqlDatetime(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
  if (!SQLITE_DATETIME.test(iso) || iso.startsWith('0000')) {
    throw new ValidationError('invalid-value', 'Datetime is invalid or outside the years 0001-9999', { rule: 'datetime' });
  }
  return iso;
}

/**
 * The SQL value stored for an attribute value in its normalized form (see `normalizeAttribute`:
 * null, string, number, boolean, canonical decimal string, ISO datetime string).
 */
export function encodeSqlValue(attr: AttributeDef, value: unknown, dialect: SqlDialect): unknown {
  if (value === null || value === undefined) return null;
  switch (attr.type) {
    case 'decimal':
      return dialect === 'sqlite' ? encodeSortableDecimal(String(value)) : canonicalDecimal(String(value)) ?? String(value);
    case 'boolean':
      return dialect === 'sqlite' ? (value === true ? 1 : 0) : value === true;
    case 'datetime':
      return encodeSqlDatetime(value as string | Date);
    default:
      return value;
  }
}

/** The normalized attribute value for a value read from SQL (inverse of `encodeSqlValue`). */
export function decodeSqlValue(attr: AttributeDef, value: unknown, dialect: SqlDialect): unknown {
  if (value === null || value === undefined) return null;
  switch (attr.type) {
    case 'decimal':
      return dialect === 'sqlite' ? decodeSortableDecimal(String(value)) : canonicalDecimal(String(value));
    case 'boolean':
      return value === true || value === 1 || value === 1n || value === 't';
    case 'datetime':
      return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
    case 'integer':
    case 'long':
      return Number(value);
    default:
      return value;
  }
}

/** Reference-set associations between persistent entities (they get junction tables). */
function referenceSets(app: AppDefinition): AssociationDef[] {
  return [...app.associations.values()].filter(
    (a) => a.type === 'reference-set' && app.entity(a.from).persistent && app.entity(a.to).persistent,
  );
}

/**
 * DDL for the app's persistent entities in `dialect`: one CREATE TABLE per entity and per
 * reference-set junction table, and CREATE INDEX for declared indexes, reference columns and the
 * junction's `to_id`. Statements use IF NOT EXISTS; run them in order.
 */
export function createTableSql(app: AppDefinition, dialect: SqlDialect, naming: SqlNaming = {}): string[] {
  const n = resolveNaming(naming);
  const q = (name: string): string => quoteIdent(name, dialect);
  const statements: string[] = [];
  const indexes: string[] = [];
  for (const entity of app.entities.values()) {
    if (!entity.persistent) continue;
    const table = n.tableOf(entity.name);
    const columns = [`${q(ID_COLUMN)} TEXT PRIMARY KEY`];
    for (const attr of entity.attributes.values()) {
      columns.push(`${q(n.columnOf(entity.name, attr.name))} ${sqlColumnType(attr, dialect)}`);
    }
    for (const assoc of entity.references.values()) {
      if (assoc.type !== 'reference') continue;
      const column = n.columnOf(entity.name, assoc.name);
      columns.push(`${q(column)} TEXT`);
      indexes.push(`CREATE INDEX IF NOT EXISTS ${q(`${table}$${column}`)} ON ${q(table)} (${q(column)})`);
    }
    for (const index of entity.indexes) {
      const column = n.columnOf(entity.name, index.attribute);
      indexes.push(`CREATE INDEX IF NOT EXISTS ${q(`${table}$${column}`)} ON ${q(table)} (${q(column)})`);
    }
    statements.push(`CREATE TABLE IF NOT EXISTS ${q(table)} (${columns.join(', ')})`);
  }
  for (const assoc of referenceSets(app)) {
    const j = n.junctionOf(assoc.name);
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${q(j.table)} (${q(j.fromColumn)} TEXT NOT NULL, ${q(j.toColumn)} TEXT NOT NULL, ` +
        `PRIMARY KEY (${q(j.fromColumn)}, ${q(j.toColumn)}))`,
    );
    indexes.push(`CREATE INDEX IF NOT EXISTS ${q(`${j.table}$${j.toColumn}`)} ON ${q(j.table)} (${q(j.toColumn)})`);
  }
  return [...statements, ...indexes];
}
