import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/define-app.js';
import { normalizeAttribute } from '../../src/app/normalize-value.js';
import { createTableSql, decodeSqlValue, encodeSqlValue, sqlColumnType } from '../../src/xpath/sql-schema.js';
import { openPostgres, openSqlite, PG_URL, redactedUrl, type TestDatabase } from './sql-databases.js';
import { shop } from './sql-shop-fixture.js';

const attrs = shop.entity('Shop.Customer').attributes;
const attr = (name: string) => attrs.get(name)!;

describe('createTableSql', () => {
  it.each(['sqlite', 'postgres'] as const)('creates a table per persistent entity, junction tables and indexes (%s)', (dialect) => {
    const ddl = createTableSql(shop, dialect).join(';\n');
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS "Shop.Customer" ("id" TEXT PRIMARY KEY');
    expect(ddl).toContain('"Shop.Customer_Referrer" TEXT');
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS "Shop.Order_Tags" ("from_id" TEXT NOT NULL, "to_id" TEXT NOT NULL, PRIMARY KEY ("from_id", "to_id"))');
    expect(ddl).toContain('CREATE INDEX IF NOT EXISTS "Shop.Customer$Name" ON "Shop.Customer" ("Name")');
    expect(ddl).toContain('CREATE INDEX IF NOT EXISTS "Shop.Order$Status" ON "Shop.Order" ("Status")');
    expect(ddl).not.toContain('Shop.Draft');
  });

  it.each([
    ['decimal', 'TEXT', 'NUMERIC(28, 8)'],
    ['datetime', 'TEXT', 'TIMESTAMPTZ(3)'],
    ['boolean', 'INTEGER', 'BOOLEAN'],
    ['long', 'INTEGER', 'BIGINT'],
    ['string', 'TEXT', 'TEXT'],
  ] as const)('maps %s to %s in SQLite and %s in PostgreSQL', (type, sqlite, postgres) => {
    const def = { name: 'X', type, required: false };
    expect(sqlColumnType(def, 'sqlite')).toBe(sqlite);
    expect(sqlColumnType(def, 'postgres')).toBe(postgres);
  });

  it('rejects PostgreSQL identifiers that would be truncated', () => {
    const long = `M.${'E'.repeat(70)}`;
    const app = defineApp({ entities: { [long]: { attributes: { A: 'string' } } } });
    expect(() => createTableSql(app, 'postgres')).toThrow(expect.objectContaining({ code: 'identifier-too-long' }));
    expect(createTableSql(app, 'sqlite')[0]).toContain(long);
  });
});

describe('encodeSqlValue / decodeSqlValue', () => {
  const databases: TestDatabase[] = [];
  beforeAll(async () => {
    databases.push(openSqlite(shop));
    const pgdb = await openPostgres(shop);
    if ('unreachable' in pgdb) console.log(`PostgreSQL skipped: unreachable at ${redactedUrl(PG_URL)}; round trip runs on SQLite only`);
    else databases.push(pgdb);
  });
  afterAll(async () => {
    for (const db of databases) await db.close();
  });

  const values = fc.record({
    Name: fc.option(fc.string({ unit: 'grapheme', maxLength: 6 }).filter((s) => !s.includes('\u0000')), { nil: null }),
    Gold: fc.option(fc.boolean(), { nil: null }),
    Registered: fc.option(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), { nil: null }),
    Credit: fc.option(
      fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }), fc.integer({ min: 0, max: 99_999_999 })).map(([n, i, f]) => `${n ? '-' : ''}${i}.${String(f).padStart(8, '0')}`),
      { nil: null },
    ),
    Visits: fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null }),
    Big: fc.option(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), { nil: null }),
  });

  it('stores and reads back every attribute value unchanged in every dialect', async () => {
    await fc.assert(
      fc.asyncProperty(values, async (raw) => {
        const stored: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(raw)) stored[k] = normalizeAttribute(attr(k), v, { entity: 'Shop.Customer', member: k });
        const object = { id: 'c0', City: null, Tier: null, 'Shop.Customer_Referrer': null, 'Shop.Customer_Friends': [], ...stored };
        for (const db of databases) {
          await db.load({ 'Shop.Customer': [object] });
          const [row] = await db.query('SELECT * FROM "Shop.Customer"');
          const read: Record<string, unknown> = {};
          for (const k of Object.keys(raw)) read[k] = decodeSqlValue(attr(k), row![k], db.dialect);
          expect({ dialect: db.dialect, ...read }).toEqual({ dialect: db.dialect, ...stored });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses datetimes outside the years 0001-9999', () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      expect(() => encodeSqlValue(attr('Registered'), '+010000-01-01T00:00:00.000Z', dialect)).toThrow(expect.objectContaining({ code: 'invalid-value' }));
      expect(() => encodeSqlValue(attr('Registered'), new Date('0000-06-01T00:00:00Z'), dialect)).toThrow(expect.objectContaining({ code: 'invalid-value' }));
    }
  });
});
