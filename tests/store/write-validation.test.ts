import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { openTestVault } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

const cases: { name: string; object: Record<string, unknown>; member: string; rule: string }[] = [
  { name: 'a string in an integer', object: { Number: '7' }, member: 'Number', rule: 'type' },
  { name: 'a fraction in an integer', object: { Number: 1.5 }, member: 'Number', rule: 'type' },
  { name: 'an integer beyond 32 bits', object: { Number: 2 ** 31 }, member: 'Number', rule: 'type' },
  { name: 'an unknown enum key', object: { Status: 'Lost' }, member: 'Status', rule: 'enum' },
  { name: 'a non-decimal string', object: { TotalPrice: '12,50' }, member: 'TotalPrice', rule: 'type' },
  { name: 'a decimal with 9 places', object: { TotalPrice: '1.123456789' }, member: 'TotalPrice', rule: 'scale' },
  { name: 'NaN as a decimal', object: { TotalPrice: Number.NaN }, member: 'TotalPrice', rule: 'type' },
  { name: 'a non-ISO date', object: { PlacedAt: '04/12/2026' }, member: 'PlacedAt', rule: 'type' },
  { name: 'an invalid Date', object: { PlacedAt: new Date('nope') }, member: 'PlacedAt', rule: 'type' },
  { name: 'a string in a boolean', object: { Paid: 'yes' }, member: 'Paid', rule: 'type' },
  { name: 'a number as reference', object: { 'Sales.Order_Customer': 5 }, member: 'Sales.Order_Customer', rule: 'reference' },
  { name: 'an unknown member', object: { Colour: 'red' }, member: 'Colour', rule: 'unknown-member' },
];

describe('writes that do not fit the app definition', () => {
  for (const c of cases) {
    it(`reject ${c.name} with a ValidationError naming entity, id and member, and write nothing`, async () => {
      ({ vault } = await openTestVault());
      const orders = vault.table('Sales.Order');
      const good = await orders.put({ id: 'o-1', Number: 1, Status: 'Open' });
      const before = await vault.outbox();
      const err = await orders.bulkPut([{ id: 'o-2', Number: 2 }, { id: 'o-3', ...c.object }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ValidationError', details: { entity: 'Sales.Order', id: 'o-3', member: c.member, rule: c.rule } });
      expect(await orders.count()).toBe(1);
      expect(await orders.get(good)).toMatchObject({ Number: 1 });
      expect(await vault.outbox()).toEqual(before);
    });
  }

  it('reject an update with a bad value and keep the stored object', async () => {
    ({ vault } = await openTestVault());
    const t = vault.table('Sales.Order');
    await t.put({ id: 'o-1', Number: 1, Status: 'Open' });
    await expect(t.update('o-1', { Status: 'Gone' })).rejects.toMatchObject({ code: 'invalid-value', details: { id: 'o-1', member: 'Status' } });
    expect(await t.get('o-1')).toMatchObject({ Status: 'Open' });
  });

  it('reject an invalid id and an unknown entity', async () => {
    ({ vault } = await openTestVault());
    await expect(vault.table('Sales.Order').put({ id: '', Number: 1 })).rejects.toMatchObject({ code: 'invalid-id' });
    expect(() => vault!.table('Sales.Nope')).toThrow(expect.objectContaining({ code: 'unknown-entity' }));
  });

  it('never put the rejected value into the error message or details', async () => {
    ({ vault } = await openTestVault());
    const err = (await vault.table('Sales.Order').put({ Status: 'SecretCanary42' }).catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain('SecretCanary42');
    expect(JSON.stringify(err)).not.toContain('SecretCanary42');
  });

  it('reject two objects with the same id in one bulkPut', async () => {
    ({ vault } = await openTestVault());
    await expect(vault.table('Sales.Order').bulkPut([{ id: 'x' }, { id: 'x' }])).rejects.toMatchObject({ code: 'duplicate-id' });
  });
});
