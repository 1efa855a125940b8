import { expect, test } from '@playwright/test';
import { SEED, serverObjects, signInAs, uploadAs, useDemoHost } from './demo-host.js';

const host = useDemoHost();

test('a forged change (ann marks an order paid, a member she may only read) is refused on the device and rejected by the server', async ({ page }) => {
  await signInAs(page, host(), 'ann');
  // The server is the authority whatever the client does: the same write sent directly is rejected.
  const direct = await uploadAs(host(), 'ann', [{ entity: 'Sales.Order', id: SEED.orders.o1001, op: 'update', values: { Paid: true } }]);
  expect(direct.map((r) => [r.status, r.reason?.code])).toEqual([['rejected', 'write-denied']]);

  // Through the app's own vault, bypassing the form (which offers no Paid field to a rep): the
  // device refuses at once and queues nothing. (A rejection that reaches the Sync issues list with
  // its content is the journey in sync-purge.spec.ts.)
  const local = await page.evaluate(async (id) => {
    try {
      await window.vault!.table('Sales.Order').update(id, { Paid: true, TotalPrice: '1' });
      return 'queued';
    } catch (error) {
      return `${(error as Error).name}:${(error as { code?: string }).code}`;
    }
  }, SEED.orders.o1001);
  expect(local).toBe('AccessDeniedError:write-denied');
  await expect(page.locator('#pending-count')).toHaveText('All changes synced');

  // Nothing of it was applied on the server.
  const order = (await serverObjects(host(), 'meg', 'Sales.Order')).get(SEED.orders.o1001);
  expect(order).toMatchObject({ Paid: false, TotalPrice: '1250.5' });
});
