import { expect, test } from '@playwright/test';
import { SEED, signInAs, syncNow, uploadAs, useDemoHost } from './demo-host.js';

const host = useDemoHost();

test('the manager moves a customer to bob on the server; ann’s next sync removes it and its orders and says why', async ({ page }) => {
  await signInAs(page, host(), 'ann');
  await expect(page.locator('#customer-list .record')).toHaveCount(2);
  await expect(page.locator('#purge-notices .notice')).toHaveCount(0);

  const results = await uploadAs(host(), 'meg', [{ entity: 'Sales.Customer', id: SEED.customers.jansen, op: 'update', values: { AccountManager: 'bob' } }]);
  expect(results.map((r) => r.status)).toEqual(['applied']);

  await syncNow(page);
  await expect(page.locator('#customer-list .record')).toHaveCount(1);
  await expect(page.locator('#customer-list')).not.toContainText('Jansen & Zn');
  const customerNotice = page.locator('#purge-notices .notice[data-entity="Sales.Customer"]');
  await expect(customerNotice).toContainText('1 customer removed from this device');
  await expect(customerNotice).toContainText('you no longer have access to them');
  await expect(customerNotice).toHaveAttribute('data-reason', 'access-lost');
  // Order 1004 belonged to that customer, so it left ann's view too.
  await expect(page.locator('#purge-notices .notice[data-entity="Sales.Order"]')).toContainText('1 order removed from this device');
  await page.getByRole('tab', { name: 'Orders' }).click();
  await expect(page.locator('#order-list')).not.toContainText('#1004');
  expect(await page.evaluate((id) => window.vault!.table('Sales.Customer').get(id), SEED.customers.jansen)).toBeUndefined();

  await page.getByRole('button', { name: 'Dismiss: 1 customer removed from this device' }).click();
  await expect(customerNotice).toHaveCount(0);
});

test('an edit of a customer that left ann’s view meanwhile is rejected, kept in Sync issues with its content, and the customer is purged', async ({ page }) => {
  await signInAs(page, host(), 'ann');
  await page.getByRole('button', { name: 'Edit Van Dijk Bouw' }).click();
  await page.locator('#customer-form').getByLabel('City').fill('Schiedam');
  await page.locator('#customer-form').getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('#pending-count')).toHaveText('1 unsynced change');

  await uploadAs(host(), 'meg', [{ entity: 'Sales.Customer', id: SEED.customers.vanDijk, op: 'update', values: { AccountManager: 'meg' } }]);
  await syncNow(page);
  await expect(page.locator('#sync-outcome')).toContainText('1 rejected');
  await expect(page.locator('#issue-count')).toHaveText('1');

  await page.getByRole('tab', { name: /issues/i }).click();
  const issue = page.locator('#sync-errors .issue');
  await expect(issue).toHaveCount(1);
  await expect(issue).toContainText('Changed customer Van Dijk Bouw');
  await expect(issue.locator('.reason-code')).toHaveText('not-found');
  await expect(issue.locator('.kv')).toContainText('Schiedam');
  // Its orders left ann's view with it. The customer itself must be reported as purged too (DESIGN.md §4.3).
  await expect(page.locator('#purge-notices .notice[data-entity="Sales.Order"]')).toContainText('removed from this device');
  await expect(page.locator('#customer-list')).not.toContainText('Van Dijk Bouw');
  await expect.soft(page.locator('#purge-notices .notice[data-entity="Sales.Customer"]')).toContainText('1 customer removed');
  await expect(page.locator('#pending-count')).toHaveText('All changes synced');

  await issue.getByRole('button', { name: /Dismiss/ }).click();
  await expect(page.locator('#sync-errors')).toContainText('No sync issues');
  await expect(page.locator('#issue-count')).toBeHidden();
});
