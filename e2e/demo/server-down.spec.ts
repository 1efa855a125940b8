import { expect, test } from '@playwright/test';
import { signInAs, syncNow, useDemoHost } from './demo-host.js';

const host = useDemoHost();

test('with the server stopped, Sync says so clearly and the local edit stays pending and visible', async ({ page }) => {
  await signInAs(page, host(), 'ann');
  await host().close(); // the sync server and the site: the page keeps running on what it loaded

  await page.getByRole('tab', { name: 'Orders' }).click();
  const form = page.locator('#order-form');
  await form.getByLabel('Order number').fill('3001');
  await form.getByLabel('Customer').selectOption({ label: 'Jansen & Zn' });
  await form.getByLabel('Status').selectOption('Open');
  await form.getByRole('button', { name: 'Add order' }).click();
  await expect(page.locator('#order-list')).toContainText('#3001 · Jansen & Zn');
  await expect(page.locator('#pending-count')).toHaveText('1 unsynced change');

  await syncNow(page);
  await expect(page.locator('#sync-outcome')).toHaveText('Sync failed: the server cannot be reached. 1 unsynced change stays on this device.');
  await expect(page.locator('#sync-outcome')).toHaveClass(/is-error/);
  await expect(page.locator('#pending-count')).toHaveText('1 unsynced change');
  expect((await page.evaluate(() => window.vault!.outbox())).map((c) => [c.entity, c.op])).toEqual([['Sales.Order', 'create']]);
  await expect(page.locator('#order-list')).toContainText('#3001');
});
