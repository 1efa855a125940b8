import { randomUUID } from 'node:crypto';
import type { AppDefinition } from '../app/index.js';
import { createTableSql, quoteIdent, sqlColumnType, ID_COLUMN, type SqlDialect } from '../xpath/index.js';
import { DIGEST_COLUMNS, DIGEST_LOW_BYTE_COLUMN, digestColumnValues } from './digest-columns.js';
import { ensureFileTables } from './file-tables.js';
import { SqlBuilder, type SqlExecutor, type SyncStore } from './sync-store.js';

/*
 * Storage layout of the reference server (docs/protocol.md §6), on top of the conventions of
 * src/xpath/sql-schema.ts: live tables named after the entities, plus
 * - column `ov$version` (member names cannot contain `$`): the sequence number of the last write;
 * - live tables only: the digest bookkeeping columns of digest-columns.ts, written with the version;
 * - `<entity>#deleted`: the same columns, the last state of deleted objects (tombstones);
 * - `ov_meta`: one row, the database id and the global sequence counter;
 * - `ov_mutations`: the stored result of every uploaded change per (user, mutation id).
 */

export const VERSION_COLUMN = 'ov$version';
export const META_TABLE = 'ov_meta';
export const MUTATIONS_TABLE = 'ov_mutations';

/** Table of the tombstones of `entity`. */
export function tombstoneTable(entity: string): string {
  return `${entity}#deleted`;
}

async function columnsOf(tx: SqlExecutor, dialect: SqlDialect, table: string): Promise<Set<string>> {
  const rows =
    dialect === 'sqlite'
      ? await tx.all('SELECT name FROM pragma_table_info(?)', [table])
      : await tx.all('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table]);
  return new Set(rows.map((r) => String(r['name'])));
}

/** The columns every table of `entity` must have (new attributes of a newer app version are added). */
function expectedColumns(app: AppDefinition, entity: string, dialect: SqlDialect): [string, string][] {
  const def = app.entity(entity);
  const cols: [string, string][] = [];
  for (const attr of def.attributes.values()) cols.push([attr.name, sqlColumnType(attr, dialect)]);
  for (const assoc of def.references.values()) if (assoc.type === 'reference') cols.push([assoc.name, 'TEXT']);
  cols.push([VERSION_COLUMN, 'BIGINT NOT NULL DEFAULT 0']);
  return cols;
}

/** Creates (idempotently) every table and index the server needs for `app`. */
export async function ensureSchema(store: SyncStore, app: AppDefinition): Promise<void> {
  const d = store.dialect;
  const q = (name: string): string => quoteIdent(name, d);
  await store.transaction('schema', async (tx) => {
    for (const s of createTableSql(app, d)) await tx.run(s);
    const tombs = createTableSql(app, d, { tableOf: tombstoneTable });
    for (const entity of app.entities.values()) {
      if (!entity.persistent) continue;
      const create = tombs.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${q(tombstoneTable(entity.name))} `));
      if (create !== undefined) await tx.run(create);
      for (const table of [entity.name, tombstoneTable(entity.name)]) {
        const have = await columnsOf(tx, d, table);
        const live = table === entity.name;
        for (const [column, type] of [...expectedColumns(app, entity.name, d), ...(live ? DIGEST_COLUMNS : [])]) {
          if (!have.has(column)) await tx.run(`ALTER TABLE ${q(table)} ADD COLUMN ${q(column)} ${type}`);
        }
        if (live) await backfillDigestColumns(tx, d, table);
        await tx.run(`CREATE INDEX IF NOT EXISTS ${q(`${table}$ov$version`)} ON ${q(table)} (${q(VERSION_COLUMN)}, ${q(ID_COLUMN)})`);
      }
    }
    await tx.run(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (name TEXT PRIMARY KEY, seq BIGINT NOT NULL, db_id TEXT NOT NULL)`);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS ${MUTATIONS_TABLE} (user_id TEXT NOT NULL, mutation_id TEXT NOT NULL, result TEXT NOT NULL, ` +
        'seq BIGINT NOT NULL, PRIMARY KEY (user_id, mutation_id))',
    );
    await ensureFileTables(tx, d);
    if (d === 'postgres') {
      // bit_xor(bigint) is built in from PostgreSQL 14; older servers get an equivalent aggregate.
      const [row] = await tx.all(`SELECT to_regprocedure('bit_xor(bigint)') IS NOT NULL AS ok`);
      if (row?.['ok'] !== true) await tx.run('CREATE AGGREGATE bit_xor(bigint) (SFUNC = int8xor, STYPE = bigint)');
    }
    const p = d === 'sqlite' ? '?' : '$1';
    await tx.run(`INSERT INTO ${META_TABLE} (name, seq, db_id) VALUES ('main', 0, ${p}) ON CONFLICT (name) DO NOTHING`, [randomUUID()]);
  });
}

/** Fills the digest bookkeeping columns of rows written before they existed (or by older servers). */
async function backfillDigestColumns(tx: SqlExecutor, dialect: SqlDialect, table: string): Promise<void> {
  const q = (name: string): string => quoteIdent(name, dialect);
  const rows = await tx.all(`SELECT ${q(ID_COLUMN)} AS id, ${q(VERSION_COLUMN)} AS v FROM ${q(table)} WHERE ${q(DIGEST_LOW_BYTE_COLUMN)} IS NULL`);
  if (dialect === 'sqlite') {
    // One prepared statement per row: cheap in-process, and no statement-size limits.
    for (const r of rows) {
      const b = new SqlBuilder(dialect);
      const sets = digestColumnValues(String(r['id']), Number(r['v'])).map(([c, v]) => `${q(c)} = ${b.p(v)}`);
      await tx.run(`UPDATE ${q(table)} SET ${sets.join(', ')} WHERE ${q(ID_COLUMN)} = ${b.p(String(r['id']))}`, b.params);
    }
    return;
  }
  const names = DIGEST_COLUMNS.map(([c]) => c);
  for (let start = 0; start < rows.length; start += 2000) {
    const part = rows.slice(start, start + 2000);
    const b = new SqlBuilder(dialect);
    const values = part.map((r) => `(${b.p(String(r['id']))}::text, ${digestColumnValues(String(r['id']), Number(r['v'])).map(([, v]) => `${b.p(v)}::bigint`).join(', ')})`);
    const sets = names.map((c, i) => `${q(c)} = v.c${i}`).join(', ');
    const cols = names.map((_c, i) => `c${i}`).join(', ');
    await tx.run(`UPDATE ${q(table)} AS t SET ${sets} FROM (VALUES ${values.join(', ')}) AS v(id, ${cols}) WHERE t.${q(ID_COLUMN)} = v.id`, b.params);
  }
}

/** Takes the next sequence number; the row lock it takes serializes writers until commit. */
export async function nextSeq(tx: SqlExecutor): Promise<number> {
  const rows = await tx.all(`UPDATE ${META_TABLE} SET seq = seq + 1 WHERE name = 'main' RETURNING seq`);
  return Number(rows[0]!['seq']);
}

/** The database id and the last sequence number visible to this transaction. */
export async function readMeta(tx: SqlExecutor): Promise<{ dbId: string; seq: number }> {
  const rows = await tx.all(`SELECT seq, db_id FROM ${META_TABLE} WHERE name = 'main'`);
  return { dbId: String(rows[0]!['db_id']), seq: Number(rows[0]!['seq']) };
}
