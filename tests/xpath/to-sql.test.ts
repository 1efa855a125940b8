import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultObject } from '../../src/app/index.js';
import { XPathSyntaxError, XPathTypeError } from '../../src/core/errors.js';
import { compileXPath } from '../../src/xpath/compile-xpath.js';
import { toSql } from '../../src/xpath/to-sql.js';
import { openPostgres, openSqlite, type TestDatabase } from './sql-databases.js';
import { resolverOf, shop } from './sql-shop-fixture.js';

const EVIL = ["'); DROP TABLE \"Shop.Customer\"; --", "x' OR '1'='1", '%', '_', 'a%b', 'a_b', 'ab', '\\%', '"; DELETE FROM x; --', null];
const customers: VaultObject[] = EVIL.map((Name, i) => ({ id: `c${i}`, Name, City: null, Gold: null, Registered: null, Credit: null, Visits: null, Big: null, Tier: null, 'Shop.Customer_Referrer': null, 'Shop.Customer_Friends': [] }));
const data = { 'Shop.Customer': customers, 'Shop.Address': [], 'Shop.Order': [], 'Shop.Tag': [] };

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

describe('toSql binds every value as a parameter', () => {
  const databases: TestDatabase[] = [];
  beforeAll(async () => {
    databases.push(openSqlite(shop));
    const pgdb = await openPostgres(shop);
    if (!('unreachable' in pgdb)) databases.push(pgdb);
    for (const db of databases) await db.load(data);
  });
  afterAll(async () => {
    for (const db of databases) await db.close();
  });

  const cases = EVIL.filter((v): v is string => v !== null).flatMap((v) => [
    `[Name = ${quote(v)}]`,
    `[contains(Name, ${quote(v)})]`,
    `[starts-with(Name, ${quote(v)})]`,
    `[ends-with(Name, ${quote(v)})]`,
  ]);

  it.each(cases)('treats the string in %s as data in every dialect', async (xpath) => {
    const predicate = compileXPath(xpath, { app: shop, entity: 'Shop.Customer' });
    const expected = customers.filter((o) => predicate(o, { resolve: resolverOf(data) })).map((o) => o.id).sort();
    expect(expected.length).toBeGreaterThan(0);
    for (const db of databases) {
      const { where, params } = toSql(xpath, { app: shop, entity: 'Shop.Customer', dialect: db.dialect });
      expect(where).not.toMatch(/DROP|DELETE|OR '1'|%|_b/);
      expect(params.length).toBeGreaterThan(0);
      expect((await db.ids('Shop.Customer', where, params)).sort()).toEqual(expected);
      expect(await db.ids('Shop.Customer', '1 = 1', [])).toHaveLength(EVIL.length);
    }
  });

  it('matches % and _ in contains() only literally', async () => {
    for (const db of databases) {
      const percent = toSql("[contains(Name, '%')]", { app: shop, entity: 'Shop.Customer', dialect: db.dialect });
      const underscore = toSql("[contains(Name, '_')]", { app: shop, entity: 'Shop.Customer', dialect: db.dialect });
      expect((await db.ids('Shop.Customer', percent.where, percent.params)).sort()).toEqual(['c2', 'c4', 'c7']);
      expect((await db.ids('Shop.Customer', underscore.where, underscore.params)).sort()).toEqual(['c3', 'c5']);
    }
  });

  it('binds variable values too', async () => {
    for (const db of databases) {
      const { where, params } = toSql('[Name = $v]', { app: shop, entity: 'Shop.Customer', dialect: db.dialect }, { variables: { v: EVIL[0] } });
      expect(where).not.toContain('DROP');
      expect(await db.ids('Shop.Customer', where, params)).toEqual(['c0']);
    }
  });
});

describe('toSql output', () => {
  const xpath = "[Name = 'a' and contains(Name, 'b') and Shop.Order_Customer/Shop.Order[Total > 5]/Note = 'n' or ends-with(City, 'x')]";

  it('uses ? placeholders for SQLite, one per parameter in text order', () => {
    const { where, params } = toSql(xpath, { app: shop, entity: 'Shop.Customer', dialect: 'sqlite' });
    expect(where.split('?').length - 1).toBe(params.length);
    expect(params).toEqual(['a', 'b', 'p00000000000000000005', 'n', 'x']);
  });

  it('uses $1..$n placeholders for PostgreSQL, numbered in text order and reused for one value', () => {
    const { where, params } = toSql(xpath, { app: shop, entity: 'Shop.Customer', dialect: 'postgres' });
    const numbers = [...where.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect([...new Set(numbers)]).toEqual(params.map((_, i) => i + 1));
    expect(params).toEqual(['a', 'b', '5', 'n', 'x']);
  });

  it('quotes identifiers and qualifies columns with the alias', () => {
    const { where } = toSql("[Name = 'a']", { app: shop, entity: 'Shop.Customer', dialect: 'postgres', alias: 't' });
    expect(where).toBe('"t"."Name" IS NOT NULL AND "t"."Name" = $1::text'.replace(/^/, '(').concat(')'));
  });

  it('follows tableOf / columnOf / junctionOf overrides', () => {
    const { where } = toSql("[Shop.Order_Tags/Shop.Tag/Label = 'x']", {
      app: shop,
      entity: 'Shop.Order',
      dialect: 'sqlite',
      tableOf: (e) => `tbl_${e}`,
      columnOf: (_e, m) => `col_${m}`,
      junctionOf: (a) => ({ table: `j_${a}`, fromColumn: 'owner', toColumn: 'target' }),
    });
    expect(where).toContain('"tbl_Shop.Tag"');
    expect(where).toContain('"j_Shop.Order_Tags"');
    expect(where).toContain('"owner"');
    expect(where).toContain('"col_Label"');
    expect(where).toContain('"tbl_Shop.Order"."id"');
  });

  it.each([
    ["[Name = 'a'", XPathSyntaxError, 'sqlite'],
    ['[Nope = 1]', XPathTypeError, 'postgres'],
  ] as const)('rejects %s like the predicate compiler', (bad, type, dialect) => {
    expect(() => toSql(bad, { app: shop, entity: 'Shop.Customer', dialect })).toThrow(type);
  });

  it('names a missing variable and refuses memory-only entities', () => {
    expect(() => toSql('[Name = $missing]', { app: shop, entity: 'Shop.Customer', dialect: 'sqlite' })).toThrow(
      expect.objectContaining({ code: 'unknown-variable', details: { variable: 'missing' } }),
    );
    expect(() => toSql("[Text = 'a']", { app: shop, entity: 'Shop.Draft', dialect: 'sqlite' })).toThrow(
      expect.objectContaining({ code: 'not-persistent' }),
    );
  });
});
