import Database from 'better-sqlite3';
import pg from 'pg';
import type { AppDefinition, VaultObject } from '../../src/app/index.js';
import { quoteIdent, type SqlDialect } from '../../src/xpath/sql-dialect.js';
import { registerSqliteFunctions } from '../../src/xpath/sql-functions.js';
import { createTableSql, defaultJunction, encodeSqlValue, ID_COLUMN } from '../../src/xpath/sql-schema.js';

/** A database holding an app's tables in the storage conventions of sql-schema.ts. */
export interface TestDatabase {
  readonly dialect: SqlDialect;
  /** Replaces all rows with `data` (stored form). */
  load(data: Record<string, VaultObject[]>): Promise<void>;
  /** Ids of `entity` rows matching `where`. */
  ids(entity: string, where: string, params: unknown[]): Promise<string[]>;
  /** Runs raw SQL (test setup / inspection). */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface Row {
  table: string;
  columns: string[];
  values: unknown[];
}

/** Rows (entity rows and junction rows) for `data`, values encoded with `encodeSqlValue`. */
function rowsOf(app: AppDefinition, data: Record<string, VaultObject[]>, dialect: SqlDialect): Row[] {
  const rows: Row[] = [];
  for (const [name, objects] of Object.entries(data)) {
    const entity = app.entity(name);
    for (const o of objects) {
      const columns = [ID_COLUMN];
      const values: unknown[] = [o.id];
      for (const attr of entity.attributes.values()) {
        columns.push(attr.name);
        values.push(encodeSqlValue(attr, o[attr.name] ?? null, dialect));
      }
      for (const assoc of entity.references.values()) {
        if (assoc.type === 'reference') {
          columns.push(assoc.name);
          values.push(o[assoc.name] ?? null);
        } else {
          const j = defaultJunction(assoc.name);
          for (const to of (o[assoc.name] as string[] | undefined) ?? []) rows.push({ table: j.table, columns: [j.fromColumn, j.toColumn], values: [o.id, to] });
        }
      }
      rows.push({ table: name, columns, values });
    }
  }
  return rows;
}

function tablesOf(app: AppDefinition): string[] {
  const tables = [...app.entities.values()].filter((e) => e.persistent).map((e) => e.name);
  for (const a of app.associations.values()) if (a.type === 'reference-set') tables.push(defaultJunction(a.name).table);
  return tables;
}

/** An in-memory SQLite database with the app's tables and the ov_* functions. */
export function openSqlite(app: AppDefinition): TestDatabase {
  const db = new Database(':memory:');
  registerSqliteFunctions(db);
  for (const statement of createTableSql(app, 'sqlite')) db.exec(statement);
  const q = (n: string): string => quoteIdent(n, 'sqlite');
  return {
    dialect: 'sqlite',
    async load(data) {
      db.transaction(() => {
        for (const t of tablesOf(app)) db.prepare(`DELETE FROM ${q(t)}`).run();
        for (const r of rowsOf(app, data, 'sqlite')) {
          db.prepare(`INSERT INTO ${q(r.table)} (${r.columns.map(q).join(', ')}) VALUES (${r.columns.map(() => '?').join(', ')})`).run(...r.values);
        }
      })();
    },
    async ids(entity, where, params) {
      const rows = db.prepare(`SELECT ${q(ID_COLUMN)} AS id FROM ${q(entity)} WHERE ${where}`).all(...params) as { id: string }[];
      return rows.map((r) => r.id);
    },
    async query(sql, params = []) {
      const statement = db.prepare(sql);
      return statement.reader ? (statement.all(...params) as Record<string, unknown>[]) : (statement.run(...params), []);
    },
    async close() {
      db.close();
    },
  };
}

/** The PostgreSQL test URL (OV_TEST_PG_URL overrides). */
export const PG_URL = process.env['OV_TEST_PG_URL'] ?? 'postgres://vault:vault@127.0.0.1:5432/vault_test';

/** The URL without its password, for log lines. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * A fresh schema in PostgreSQL with the app's tables, or the reason PostgreSQL is unreachable.
 * `close` drops the schema.
 */
export async function openPostgres(app: AppDefinition): Promise<TestDatabase | { unreachable: string }> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    return { unreachable: err instanceof Error ? err.message : String(err) };
  }
  const q = (n: string): string => quoteIdent(n, 'postgres');
  const schema = `ov_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await client.query(`CREATE SCHEMA ${q(schema)}`);
  await client.query(`SET search_path TO ${q(schema)}`);
  for (const statement of createTableSql(app, 'postgres')) await client.query(statement);
  return {
    dialect: 'postgres',
    async load(data) {
      const statements: { text: string; values: unknown[] }[] = [];
      const byTable = new Map<string, Row[]>();
      for (const r of rowsOf(app, data, 'postgres')) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r]);
      for (const [table, rows] of byTable) {
        const columns = rows[0]!.columns;
        const values: unknown[] = [];
        const tuples = rows.map((r) => `(${r.values.map((v) => (values.push(v), `$${values.length}`)).join(', ')})`);
        statements.push({ text: `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`, values });
      }
      await client.query('BEGIN');
      try {
        await client.query(`TRUNCATE ${tablesOf(app).map(q).join(', ')}`);
        for (const s of statements) await client.query(s.text, s.values);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    },
    async ids(entity, where, params) {
      const result = await client.query(`SELECT ${q(ID_COLUMN)} AS id FROM ${q(entity)} WHERE ${where}`, params);
      return result.rows.map((r: { id: string }) => r.id);
    },
    async query(sql, params = []) {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    },
    async close() {
      try {
        await client.query(`DROP SCHEMA ${q(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
