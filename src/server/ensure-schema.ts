import { randomUUID } from 'node:crypto';
import type { AppDefinition } from '../app/index.js';
import { createTableSql, quoteIdent, sqlColumnType, ID_COLUMN, type SqlDialect } from '../xpath/index.js';
import type { SqlExecutor, SyncStore } from './sync-store.js';

/*
 * Storage layout of the reference server (docs/protocol.md §6), on top of the conventions of
 * src/xpath/sql-schema.ts: live tables named after the entities, plus
 * - column `ov$version` (member names cannot contain `$`): the sequence number of the last write;
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
        for (const [column, type] of expectedColumns(app, entity.name, d)) {
          if (!have.has(column)) await tx.run(`ALTER TABLE ${q(table)} ADD COLUMN ${q(column)} ${type}`);
        }
        await tx.run(`CREATE INDEX IF NOT EXISTS ${q(`${table}$ov$version`)} ON ${q(table)} (${q(VERSION_COLUMN)}, ${q(ID_COLUMN)})`);
      }
    }
    await tx.run(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (name TEXT PRIMARY KEY, seq BIGINT NOT NULL, db_id TEXT NOT NULL)`);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS ${MUTATIONS_TABLE} (user_id TEXT NOT NULL, mutation_id TEXT NOT NULL, result TEXT NOT NULL, ` +
        'seq BIGINT NOT NULL, PRIMARY KEY (user_id, mutation_id))',
    );
    const p = d === 'sqlite' ? '?' : '$1';
    await tx.run(`INSERT INTO ${META_TABLE} (name, seq, db_id) VALUES ('main', 0, ${p}) ON CONFLICT (name) DO NOTHING`, [randomUUID()]);
  });
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
