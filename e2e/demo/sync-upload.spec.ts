import { expect, test } from '@playwright/test';
import { SEED, serverObjects, serverSql, signInAs, syncNow, useDemoHost } from './demo-host.js';

const host = useDemoHost();

test('ann creates an order and edits a customer; after Sync both are on the server and the counter is back to zero', async ({ page }) => {
  await signInAs(page, host(), 'ann');

  await page.getByRole('tab', { name: 'Orders' }).click();
  const form = page.locator('#order-form');
  await form.getByLabel('Order number').fill('2001');
  await form.getByLabel('Customer').selectOption({ label: 'Van Dijk Bouw' });
  await form.getByLabel('Status').selectOption('Open');
  await form.getByLabel('Total price').fill('640.25');
  await form.getByRole('button', { name: 'Add order' }).click();
  await expect(form.getByRole('status')).toHaveText('Order added.');
  await expect(page.locator('#order-list')).toContainText('#2001 · Van Dijk Bouw');

  await page.getByRole('tab', { name: 'Customers' }).click();
  await page.getByRole('button', { name: 'Edit Jansen & Zn' }).click();
  await page.locator('#customer-form').getByLabel('City').fill('Amersfoort');
  await page.locator('#customer-form').getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('#customer-list')).toContainText('Amersfoort');
  await expect(page.locator('#pending-count')).toHaveText('2 unsynced changes');

  await syncNow(page);
  await expect(page.locator('#sync-outcome')).toContainText('2 sent');
  await expect(page.locator('#pending-count')).toHaveText('All changes synced');

  // On the server, as the manager reads it, and in its SQLite database.
  const orders = [...(await serverObjects(host(), 'meg', 'Sales.Order')).values()];
  expect(orders.find((o) => o['Number'] === 2001)).toMatchObject({ Status: 'Open', TotalPrice: '640.25', 'Sales.Order_Customer': SEED.customers.vanDijk });
  const customers = await serverObjects(host(), 'meg', 'Sales.Customer');
  expect(customers.get(SEED.customers.jansen)).toMatchObject({ City: 'Amersfoort', CreditLimit: '12000', AccountManager: 'ann' });
  const rows = await serverSql(host(), 'SELECT COUNT(*) AS n FROM "Sales.Order" WHERE "Number" = ?', [2001]);
  expect(Number(rows[0]!['n'])).toBe(1);
});

test('bob, another rep, gets ann’s new order nowhere; meg the manager sees it with every member', async ({ browser }) => {
  const bob = await browser.newPage();
  await signInAs(bob, host(), 'bob');
  await expect(bob.locator('#customer-list .record')).toHaveCount(2);
  await expect(bob.locator('#customer-list')).not.toContainText('Van Dijk Bouw');
  await bob.getByRole('tab', { name: 'Orders' }).click();
  await expect(bob.locator('#order-list')).not.toContainText('#2001');
  await bob.close();

  const meg = await browser.newPage();
  await signInAs(meg, host(), 'meg');
  await expect(meg.locator('#customer-list .record')).toHaveCount(5);
  await expect(meg.locator('#customer-list')).toContainText('€ 30,000.01');
  await meg.getByRole('tab', { name: 'Orders' }).click();
  await expect(meg.locator('#order-list')).toContainText('#2001 · Van Dijk Bouw');
  await meg.close();
});
