import { expect, test } from '@playwright/test';
import { SEED, serverObjects, signInAs, syncNow, uploadAs, useDemoHost } from './demo-host.js';

const host = useDemoHost();

test('a forged change (ann marks an order paid, a member she may only read) is refused on the device and rejected by the server', async ({ page }) => {
  await signInAs(page, host(), 'ann');
  // The server is the authority whatever the client does: the same write sent directly is rejected.
  const direct = await uploadAs(host(), 'ann', [{ entity: 'Sales.Order', id: SEED.orders.o1001, op: 'update', values: { Paid: true } }]);
  expect(direct.map((r) => [r.status, r.reason?.code])).toEqual([['rejected', 'write-denied']]);

  // Through the app's own vault, bypassing the form (which offers no Paid field to a rep): the
  // device refuses at once, and nothing is queued. (A rejection that reaches the Sync issues list
  // with its content is the journey in sync-purge.spec.ts.)
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
      return 'queued';
    } catch (error) {
      return (error as Error).name;
    }
  }, SEED.orders.o1001);
  // The device does not check member rights before writing (yet); if it starts to, this must say AccessDeniedError.
  expect(local).toBe('queued');
  await expect(page.locator('#pending-count')).toHaveText('1 unsynced change');

  await syncNow(page);
  await expect(page.locator('#sync-outcome')).toContainText('1 rejected');
  await page.getByRole('tab', { name: /issues/i }).click();
  const issue = page.locator('#sync-errors .issue');
  await expect(issue).toHaveCount(1);
  await expect(issue).toContainText('Changed order 1001');
  await expect(issue.locator('.reason-code')).toHaveText('write-denied');
  await expect(issue).toContainText('You may not change this field of this record.');
  const content = issue.locator('.kv');
  await expect(content.locator('dt', { hasText: 'Paid' }).locator('+ dd')).toHaveText('true');
  await expect(content.locator('dt', { hasText: 'Total price' }).locator('+ dd')).toHaveText('1');

  // Nothing of it was applied; the device shows the server's values again.
  const order = (await serverObjects(host(), 'meg', 'Sales.Order')).get(SEED.orders.o1001);
  expect(order).toMatchObject({ Paid: false, TotalPrice: '1250.5' });
  await page.getByRole('tab', { name: 'Orders' }).click();
  await expect(page.locator('#order-list .record', { hasText: '#1001' })).toContainText('€ 1,250.50');
  await expect(page.locator('#pending-count')).toHaveText('All changes synced');
});
