import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { openTestVault, rawRows } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

describe.each([true, false])('entity table (encrypted: %s)', (encrypted) => {
  it('round-trips objects with normalized values and reads empty members as null', async () => {
    ({ vault } = await openTestVault({ encryption: { database: encrypted } }));
    const orders = vault.table('Sales.Order');
    const id = await orders.put({ Number: 7, Status: 'Open', TotalPrice: 10.5, PlacedAt: new Date('2026-01-02T03:04:05Z'), Paid: false });
    expect(await orders.get(id)).toEqual({
      id,
      Number: 7,
      Status: 'Open',
      TotalPrice: '10.5',
      PlacedAt: '2026-01-02T03:04:05.000Z',
      Paid: false,
      Note: null,
      CounterA: null,
      CounterB: null,
      'Sales.Order_Customer': null,
    });
    expect(vault.encrypted).toBe(encrypted);
  });

  it('bulkPut and bulkGet keep the order of ids and return undefined for missing ones', async () => {
    ({ vault } = await openTestVault({ encryption: { database: encrypted } }));
    const t = vault.table('Sales.Customer');
    const ids = await t.bulkPut([{ Name: 'A' }, { id: 'c-2', Name: 'B' }, { Name: 'C' }]);
    expect(ids[1]).toBe('c-2');
    const got = await t.bulkGet([ids[2]!, 'missing', ids[0]!]);
    expect(got.map((o) => o?.['Name'])).toEqual(['C', undefined, 'A']);
    expect(await t.count()).toBe(3);
    expect((await t.toArray()).map((o) => o['Name']).sort()).toEqual(['A', 'B', 'C']);
  });

  it('update changes only the given members and reports whether the object existed', async () => {
    ({ vault } = await openTestVault({ encryption: { database: encrypted } }));
    const t = vault.table('Sales.Order');
    const id = await t.put({ Number: 1, Status: 'Open', Note: 'keep' });
    expect(await t.update(id, { Status: 'Paid' })).toBe(true);
    expect(await t.update('nope', { Status: 'Paid' })).toBe(false);
    expect(await t.get(id)).toMatchObject({ Number: 1, Status: 'Paid', Note: 'keep' });
  });

  it('delete and bulkDelete remove objects', async () => {
    ({ vault } = await openTestVault({ encryption: { database: encrypted } }));
    const t = vault.table('Sales.Customer');
    const ids = await t.bulkPut([{ Name: 'A' }, { Name: 'B' }, { Name: 'C' }]);
    await t.delete(ids[0]!);
    await t.bulkDelete([ids[1]!, 'missing']);
    expect((await t.toArray()).map((o) => o.id)).toEqual([ids[2]]);
  });

  it('equality queries on declared indexes return exactly the matching objects', async () => {
    ({ vault } = await openTestVault({ encryption: { database: encrypted } }));
    const t = vault.table('Sales.Order');
    await t.bulkPut([
      { Number: 1, Status: 'Open', Paid: false },
      { Number: 2, Status: 'Paid', Paid: true },
      { Number: 3, Status: 'Open', Paid: true },
      { Number: 4, Status: 'Closed' },
    ]);
    const numbers = async (q: Promise<{ [k: string]: unknown }[]>) => (await q).map((o) => o['Number']).sort();
    expect(await numbers(t.where('Status').equals('Open').toArray())).toEqual([1, 3]);
    expect(await numbers(t.where('Status').anyOf(['Paid', 'Closed']).toArray())).toEqual([2, 4]);
    expect(await numbers(t.where('Paid').equals(true).toArray())).toEqual([2, 3]);
    expect(await numbers(t.where('Paid').equals(null).toArray())).toEqual([4]);
    expect(await t.where('Number').equals(2).count()).toBe(1);
    expect(await t.where('Status').equals('Closed').first()).toMatchObject({ Number: 4 });
  });

  it('rejects a query on an attribute that has no index', async () => {
    ({ vault } = await openTestVault({ encryption: { database: encrypted } }));
    expect(() => vault!.table('Sales.Order').where('Note')).toThrow(expect.objectContaining({ code: 'not-indexed' }));
  });
});

describe('encrypted rows', () => {
  it('hold an envelope and blind indexes, never the attribute values', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Customer').put({ id: 'c1', Name: 'CanaryName-91x', City: 'CanaryCity-77q', CreditLimit: '123.45' });
    const [row] = (await rawRows(opened.idb.indexedDB, 'offline-vault/test', 'Sales.Customer')) as Record<string, unknown>[];
    expect(Object.keys(row!).sort()).toEqual(['e', 'id', 'sv', 'x_City', 'x_Name']);
    expect(row!['e']).toBeInstanceOf(Uint8Array);
    const text = JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(text).not.toContain('CanaryName');
    expect(text).not.toContain('CanaryCity');
    expect(text).not.toContain('123.45');
  });
});
