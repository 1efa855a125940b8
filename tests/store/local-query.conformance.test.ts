import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openVault, type Vault } from '../../src/store/index.js';
import { freshIndexedDb } from '../helpers/open-test-vault.js';
import { SALES_CASES, type CaseContext } from '../xpath/sales-cases.js';
import { app, data, matching } from '../xpath/sales-fixture.js';

// vault.query defaults to the device's zone; the predicate to UTC. The table states zones where
// they matter, so both run with the case's zone or UTC.
const optionsOf = (ctx: CaseContext = {}) => ({ ...ctx, timeZone: ctx.timeZone ?? 'UTC' });
const evaluated = SALES_CASES.filter((c) => c.expected !== undefined);

let vault: Vault;

beforeAll(async () => {
  vault = await openVault({ name: 'sales-conformance', app, requestPersistence: false, ...freshIndexedDb() });
  for (const [entity, objects] of Object.entries(data)) await vault.table(entity).bulkPut(objects);
});
afterAll(() => vault.close());

describe('vault.query on an encrypted vault gives the conformance table its expected ids', () => {
  test('the vault is encrypted and holds the whole dataset', async () => {
    expect(vault.encrypted).toBe(true);
    for (const [entity, objects] of Object.entries(data)) expect(await vault.table(entity).count()).toBe(objects.length);
  });

  test.each(evaluated)('$name on the device: $xpath', async (c) => {
    const xpath = c.evaluate ?? c.xpath;
    const ids = (await vault.query(c.entity, xpath, optionsOf(c.ctx))).map((o) => o.id);
    expect([...ids].sort()).toEqual([...c.expected!].sort());
    // The same as the predicate compiler on the in-memory data (same zone).
    expect([...ids].sort()).toEqual(matching(c.entity, xpath, optionsOf(c.ctx)).sort());
  });
});
