import { expect, test, type Page } from '@playwright/test';
import { ARTIFACTS, SEED, signInAs, syncNow, uploadAs, useDemoHost } from './demo-host.js';

const host = useDemoHost();

const VIEWPORTS = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

async function shot(page: Page, file: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: `${ARTIFACTS}${file}.png`, fullPage: true });
}

for (const viewport of VIEWPORTS) {
  test(`screenshots of the main screens (${viewport.name}, ${viewport.width}px)`, async ({ page }) => {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    const v = viewport.name;
    await page.goto(host().url);
    await expect(page.locator('.user-card')).toHaveCount(4);
    await shot(page, `demo-${v}-sign-in`);

    await signInAs(page, host(), 'ann');
    await expect(page.locator('#connection')).toHaveText('Online');
    await expect(page.locator('#customer-list .record')).toHaveCount(2);
    await shot(page, `demo-${v}-customers`);

    // Sync in progress: one local change uploaded, the download held back until the shot is taken.
    await page.getByRole('tab', { name: 'Orders' }).click();
    await page.locator('#order-list .record', { hasText: '#1004' }).getByRole('button', { name: 'Edit order 1004' }).click();
    await page.locator('#order-form').getByLabel('Status').selectOption('Paid');
    await page.locator('#order-form').getByRole('button', { name: 'Save changes' }).click();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/sync/v1/download', async (route) => {
      await held;
      await route.continue();
    });
    await page.locator('#sync-button').click();
    await expect(page.locator('.sync-progress')).toBeVisible();
    await expect(page.locator('#sync-phase')).toContainText(/Sending changes · 1 of 1|Receiving/);
    await shot(page, `demo-${v}-sync-progress`);
    release();
    await expect(page.locator('#sync-button')).toBeEnabled();
    await page.unroute('**/sync/v1/download');

    // A sync issue: ann edits a customer that the manager takes away meanwhile; the server rejects it.
    await page.evaluate((id) => window.vault!.table('Sales.Customer').update(id, { City: 'Schiedam' }), SEED.customers.vanDijk);
    await uploadAs(host(), 'meg', [{ entity: 'Sales.Customer', id: SEED.customers.vanDijk, op: 'update', values: { AccountManager: 'meg' } }]);
    await syncNow(page);
    await page.getByRole('tab', { name: /issues/i }).click();
    await expect(page.locator('#sync-errors .issue')).toHaveCount(1);
    await shot(page, `demo-${v}-sync-errors`);
    await uploadAs(host(), 'meg', [{ entity: 'Sales.Customer', id: SEED.customers.vanDijk, op: 'update', values: { AccountManager: 'ann' } }]);

    // Purge notice: the manager reassigns one of ann's customers.
    await uploadAs(host(), 'meg', [{ entity: 'Sales.Customer', id: SEED.customers.jansen, op: 'update', values: { AccountManager: 'bob' } }]);
    await page.getByRole('tab', { name: 'Customers' }).click();
    await syncNow(page);
    await expect(page.locator('#purge-notices .notice')).not.toHaveCount(0);
    await shot(page, `demo-${v}-purged`);
    await uploadAs(host(), 'meg', [{ entity: 'Sales.Customer', id: SEED.customers.jansen, op: 'update', values: { AccountManager: 'ann' } }]);
    await syncNow(page); // both customers come back

    await page.getByRole('tab', { name: 'Security' }).click();
    await expect(page.locator('#protection-level')).toHaveText('Device key');
    await expect(page.locator('#audit-result')).toHaveText('Nothing exposed');
    await expect(page.locator('#audit .audit-table tbody tr')).not.toHaveCount(0);
    await expect(page.locator('[data-store="Sales.Customer"] .raw-row')).not.toHaveCount(0);
    await shot(page, `demo-${v}-security`);

    // Offline: the indicator and a failed sync that keeps the change.
    await page.context().setOffline(true);
    await expect(page.locator('#connection')).toHaveText('Offline');
    await page.getByRole('tab', { name: 'Customers' }).click();
    await shot(page, `demo-${v}-offline`);
    await page.context().setOffline(false);

    // The manager's view: every customer with its credit limit.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await signInAs(page, host(), 'meg');
    await expect(page.locator('#customer-list')).toContainText('€ 30,000.01');
    await shot(page, `demo-${v}-manager`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });
}
