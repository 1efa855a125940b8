import 'fake-indexeddb/auto'; // Dexie's liveQuery needs a global IndexedDB when it loads (as in browsers).
import { afterEach, describe, expect, it, test } from 'vitest';
import { defineApp, type VaultObject } from '../../src/app/index.js';
import { XPathSyntaxError, XPathTypeError } from '../../src/core/errors.js';
import { prepareLocalQuery, type LocalQueryHost } from '../../src/store/local-query.js';
import { planLocalQuery } from '../../src/store/plan-local-query.js';
import { openVault, type Vault, type VaultTable } from '../../src/store/index.js';
import { parseXPath } from '../../src/xpath/parse-xpath.js';
import { freshIndexedDb } from '../helpers/open-test-vault.js';

// 8-bit blind indexes: many coincidences, so index candidates include objects that do not match.
const app = defineApp({
  roles: ['Clerk'],
  entities: {
    'S.Customer': {
      attributes: { Name: 'string', Credit: 'decimal', Gold: 'boolean', Since: 'datetime' },
      indexes: [{ attribute: 'Name', bits: 8 }, 'Credit', 'Gold', 'Since'],
    },
    'S.Order': {
      attributes: { Number: 'integer', Status: { enum: ['Open', 'Paid'] }, Total: 'decimal' },
      indexes: [{ attribute: 'Number', bits: 8 }, 'Status'],
    },
    'S.Note': { persistent: false, attributes: { Text: 'string' }, indexes: ['Text'] },
  },
  associations: {
    'S.Order_Customer': { from: 'S.Order', to: 'S.Customer', type: 'reference' },
    'S.Note_Order': { from: 'S.Note', to: 'S.Order', type: 'reference' },
    'S.Customer_Parent': { from: 'S.Customer', to: 'S.Customer', type: 'reference' },
  },
});

const customers = Array.from({ length: 300 }, (_, i) => ({
  id: `c${String(i).padStart(3, '0')}`,
  Name: `name-${i % 50}`,
  Credit: String(i % 7),
  Gold: i % 3 === 0,
  Since: new Date(Date.UTC(2024, 0, 1 + (i % 30))).toISOString(),
  'S.Customer_Parent': i === 0 ? null : `c${String(Math.floor(i / 2)).padStart(3, '0')}`,
}));
const orders = Array.from({ length: 300 }, (_, i) => ({
  id: `o${String(i).padStart(3, '0')}`,
  Number: i,
  Status: i % 4 === 0 ? 'Paid' : 'Open',
  Total: `${i}.5`,
  'S.Order_Customer': `c${String(i % 40).padStart(3, '0')}`,
}));

let vault: Vault | undefined;
afterEach(() => vault?.close());

async function filled(encrypted = true): Promise<Vault> {
  vault = await openVault({ name: 'lq', app, requestPersistence: false, encryption: { database: encrypted }, ...freshIndexedDb() });
  await vault.table('S.Customer').bulkPut(customers);
  await vault.table('S.Order').bulkPut(orders);
  return vault;
}

const ids = (objects: readonly VaultObject[]) => objects.map((o) => o.id);

/** A host that counts how each table is read. */
function spyHost(v: Vault): { host: LocalQueryHost; reads: string[] } {
  const reads: string[] = [];
  const wrap = (t: VaultTable): VaultTable => ({
    ...t,
    toArray: () => (reads.push(`${t.entity} scan`), t.toArray()),
    bulkGet: (list) => (reads.push(`${t.entity} ids`), t.bulkGet(list)),
    where: (attribute) => {
      const w = t.where(attribute);
      return {
        equals: (value) => (reads.push(`${t.entity} index ${attribute}`), w.equals(value)),
        anyOf: (values) => (reads.push(`${t.entity} index ${attribute}`), w.anyOf(values)),
      };
    },
  });
  return { host: { app, table: (e) => wrap(v.table(e)), user: () => null }, reads };
}

describe('the local query planner', () => {
  const cases: [string, string, Record<string, unknown>, unknown][] = [
    ['S.Customer', "[Name = 'name-3']", {}, { kind: 'index', attribute: 'Name', values: ['name-3'] }],
    ['S.Customer', "['name-3' = Name]", {}, { kind: 'index', attribute: 'Name', values: ['name-3'] }],
    ['S.Customer', "[Gold = true()][Name = 'a' or Name = 'b']", {}, { kind: 'index', attribute: 'Gold', values: [true] }],
    ['S.Customer', "[Credit > 2][Name = 'a' or Name = 'b']", {}, { kind: 'index', attribute: 'Name', values: ['a', 'b'] }],
    ['S.Customer', '[Credit = 2.50]', {}, { kind: 'index', attribute: 'Credit', values: ['2.5'] }],
    ['S.Customer', '[Name = $n]', { n: 'x' }, { kind: 'index', attribute: 'Name', values: ['x'] }],
    ['S.Order', "[Status = 'Open' and Total > 3]", {}, { kind: 'index', attribute: 'Status', values: ['Open'] }],
    ['S.Order', '[Number = 7]', {}, { kind: 'index', attribute: 'Number', values: [7] }],
    ['S.Customer', "[id = 'c001' or id = 'c002']", {}, { kind: 'ids', ids: ['c001', 'c002'] }],
    // scans: no top-level equality on an index, or one the index cannot answer exactly
    ['S.Customer', "[Name != 'a']", {}, { kind: 'scan' }],
    ['S.Customer', "[Name = 'a' or Credit = 1]", {}, { kind: 'scan' }],
    ['S.Customer', "[not(Name = 'a')]", {}, { kind: 'scan' }],
    ['S.Customer', "[Since = '2024-01-02']", {}, { kind: 'scan' }],
    ['S.Customer', "[Gold = 'true']", {}, { kind: 'scan' }],
    ['S.Customer', '[Name = $n]', { n: ['a', 'b'] }, { kind: 'scan' }],
    ['S.Customer', '[Name = empty]', {}, { kind: 'scan' }],
    ['S.Order', '[Number = 2.5]', {}, { kind: 'scan' }],
    ['S.Order', '[Total = 3]', {}, { kind: 'scan' }],
    ['S.Order', "[S.Order_Customer/S.Customer/Name = 'a']", {}, { kind: 'scan' }],
  ];
  test.each(cases)('%s %s uses %j', (entity, xpath, variables, access) => {
    expect(planLocalQuery(app, entity, parseXPath(xpath), variables).access).toEqual(access);
  });

  test('lists the entities a constraint reaches, through filters and backward members', () => {
    const plan = (entity: string, xpath: string) => [...planLocalQuery(app, entity, parseXPath(xpath)).reached].sort();
    expect(plan('S.Customer', "[Name = 'a']")).toEqual([]);
    expect(plan('S.Customer', '[S.Order_Customer/S.Order[S.Note_Order/S.Note]]')).toEqual(['S.Note', 'S.Order']);
    expect(plan('S.Customer', "[S.Order_Customer = 'o1']")).toEqual(['S.Order']);
    expect(plan('S.Order', "[S.Order_Customer = 'c1']")).toEqual([]);
    expect(plan('S.Customer', "[S.Customer_Parent[reversed()] = 'c2']")).toEqual(['S.Customer']);
    expect(plan('S.Order', "[contains(S.Order_Customer/S.Customer/Name, 'a')]")).toEqual(['S.Customer']);
  });
});

describe('vault.query', () => {
  it('uses the index for a top-level indexed equality and still drops blind-index false positives', async () => {
    const v = await filled();
    const { host, reads } = spyHost(v);
    const got = await prepareLocalQuery(host, 'S.Customer', "[Name = 'name-7'][Gold = false()]").run();
    expect(reads).toEqual(['S.Customer index Name']);
    expect(ids(got)).toEqual(customers.filter((c) => c.Name === 'name-7' && !c.Gold).map((c) => c.id));
    expect(got[0]).toEqual(customers.find((c) => c.id === got[0]!.id));
  });

  it('scans and decrypts when no index applies, and preloads what paths reach', async () => {
    const v = await filled();
    const { host, reads } = spyHost(v);
    const got = await prepareLocalQuery(host, 'S.Customer', "[S.Order_Customer/S.Order/Status = 'Paid'][Credit > 3]").run();
    expect(reads.sort()).toEqual(['S.Customer scan', 'S.Order scan']);
    const paidCustomers = new Set(orders.filter((o) => o.Status === 'Paid').map((o) => o['S.Order_Customer']));
    expect(ids(got)).toEqual(customers.filter((c) => paidCustomers.has(c.id) && Number(c.Credit) > 3).map((c) => c.id));
  });

  it('reads objects by id for a top-level id equality', async () => {
    const v = await filled();
    const { host, reads } = spyHost(v);
    // Every fourth order is Paid: o012, not o013.
    expect(ids(await prepareLocalQuery(host, 'S.Order', "[id = 'o013' or id = 'o012' or id = 'nope'][Status = 'Paid']").run())).toEqual(['o012']);
    expect(reads).toEqual(['S.Order ids']);
  });

  it('follows a self-reference both ways on a plain vault too', async () => {
    const v = await filled(false);
    const parentOf = (id: string) => customers.find((c) => c.id === id)!['S.Customer_Parent'];
    expect(ids(await v.query('S.Customer', "[S.Customer_Parent = 'c003']"))).toEqual(customers.filter((c) => c['S.Customer_Parent'] === 'c003').map((c) => c.id));
    expect(ids(await v.query('S.Customer', "[S.Customer_Parent[reversed()] = 'c007']"))).toEqual([parentOf('c007')]);
    // Grandparent of c<i> is c<i/4>; 'name-1' is c001 and c051 (c101's grandchildren do not exist).
    expect(ids(await v.query('S.Customer', "[S.Customer_Parent/S.Customer/S.Customer_Parent/S.Customer/Name = 'name-1']"))).toEqual(
      ['c004', 'c005', 'c006', 'c007', 'c204', 'c205', 'c206', 'c207'],
    );
  });

  it('queries memory-only entities, by index and over paths into persistent ones', async () => {
    const v = await filled();
    await v.table('S.Note').bulkPut([
      { id: 'n1', Text: 'call', 'S.Note_Order': 'o004' },
      { id: 'n2', Text: 'mail', 'S.Note_Order': 'o005' },
      { id: 'n3', Text: 'call', 'S.Note_Order': null },
    ]);
    expect(ids(await v.query('S.Note', "[Text = 'call']"))).toEqual(['n1', 'n3']);
    expect(ids(await v.query('S.Note', "[S.Note_Order/S.Order/Status = 'Paid']"))).toEqual(['n1']);
    expect(ids(await v.query('S.Order', "[S.Note_Order/S.Note[Text = 'mail']]"))).toEqual(['o005']);
  });

  it('takes the user, clock, zone and variables from the options', async () => {
    const v = await filled();
    expect(ids(await v.query('S.Customer', "[S.Customer_Parent = '[%CurrentUser%]']", { user: { id: 'c010', roles: [] } }))).toEqual(['c020', 'c021']);
    expect(await v.query('S.Customer', "[S.Customer_Parent = '[%CurrentUser%]']")).toEqual([]);
    const now = new Date(Date.UTC(2024, 0, 3, 12));
    const today = customers.filter((c) => c.Since === '2024-01-03T00:00:00.000Z').map((c) => c.id);
    expect(ids(await v.query('S.Customer', "[Since >= '[%BeginOfCurrentDay%]'][Since < '[%EndOfCurrentDay%]']", { now, timeZone: 'UTC' }))).toEqual(today);
    // In Los Angeles it is 04:00 on the 3rd: that day runs from 08:00 UTC on the 3rd to 08:00 UTC on the 4th.
    const la = customers.filter((c) => c.Since === '2024-01-04T00:00:00.000Z').map((c) => c.id);
    expect(ids(await v.query('S.Customer', "[Since >= '[%BeginOfCurrentDay%]'][Since < '[%EndOfCurrentDay%]']", { now, timeZone: 'America/Los_Angeles' }))).toEqual(la);
    expect(ids(await v.query('S.Order', '[Number > $n]', { variables: { n: 297 } }))).toEqual(['o298', 'o299']);
  });

  test.each([
    ["[Name = 'x'", XPathSyntaxError],
    ['[Name = ]', XPathSyntaxError],
    ['[Nope = 1]', XPathTypeError],
    ['[S.Order_Customer = 5]', XPathTypeError],
  ] as const)('rejects %s before reading anything', async (xpath, type) => {
    const v = await filled();
    const { host, reads } = spyHost(v);
    expect(() => prepareLocalQuery(host, 'S.Order', xpath)).toThrow(type);
    await expect(v.query('S.Order', xpath)).rejects.toThrow(type);
    expect(reads).toEqual([]);
  });

  it('rejects a missing variable, a bad zone and an unknown entity before reading', async () => {
    const v = await filled();
    const { host, reads } = spyHost(v);
    expect(() => prepareLocalQuery(host, 'S.Order', '[Number = 1 or Number = $n]')).toThrow(expect.objectContaining({ code: 'unknown-variable' }));
    expect(() => prepareLocalQuery(host, 'S.Order', '[Number = 1]', { timeZone: 'Mars/Olympus' })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    await expect(v.query('S.Nope', '[Number = 1]')).rejects.toThrow(expect.objectContaining({ code: 'unknown-entity' }));
    expect(reads).toEqual([]);
  });
});

function collect(observable: ReturnType<Vault['live']>): { values: string[][]; stop(): void; next(n: number): Promise<void> } {
  const values: string[][] = [];
  let waiters: (() => void)[] = [];
  const sub = observable.subscribe((v) => {
    values.push(ids(v));
    waiters.forEach((w) => w());
    waiters = [];
  });
  return {
    values,
    stop: () => sub.unsubscribe(),
    next: (n) =>
      new Promise<void>((resolve) => {
        const check = () => (values.length >= n ? resolve() : waiters.push(check));
        check();
      }),
  };
}

describe('vault.live with a constraint', () => {
  it('emits the result, then again when a change alters it (also through a path)', async () => {
    const v = await filled();
    const live = collect(v.live('S.Customer', "[Name = 'name-1'][S.Order_Customer/S.Order/Status = 'Paid']"));
    await live.next(1);
    expect(live.values[0]).toEqual([]); // customers c001, c051.. have orders o001, o041, ...: all Open
    await v.table('S.Order').update('o041', { Status: 'Paid' }); // o041 -> c001
    await live.next(2);
    expect(live.values[1]).toEqual(['c001']);
    await v.table('S.Customer').update('c001', { Name: 'renamed' });
    await live.next(3);
    expect(live.values[2]).toEqual([]);
    live.stop();
    expect(live.values).toHaveLength(3);
  });

  it('follows memory-only entities too', async () => {
    const v = await filled();
    const live = collect(v.live('S.Note', "[S.Note_Order/S.Order/Number < 3]"));
    await live.next(1);
    expect(live.values[0]).toEqual([]);
    await v.table('S.Note').put({ id: 'n1', Text: 'x', 'S.Note_Order': 'o002' });
    await live.next(2);
    expect(live.values[1]).toEqual(['n1']);
    live.stop();
  });

  it('throws a bad constraint synchronously', async () => {
    const v = await filled();
    expect(() => v.live('S.Order', '[Number = ')).toThrow(XPathSyntaxError);
  });
});
