import { expect, test } from '@playwright/test';
import { scanOrigin } from '../store/scan-origin.js';
import { SEED, serverObjects, serverSql, signInAs, useDemoHost } from './demo-host.js';

const host = useDemoHost();

test.describe('a sales rep signs in', () => {
  test('ann sees only her customers and no credit limit anywhere: screen, vault reads, sync responses, raw storage', async ({ page }) => {
    const bodies: string[] = [];
    page.on('response', async (response) => {
      if (response.url().includes('/sync/v1/download')) bodies.push(await response.text());
    });
    await signInAs(page, host(), 'ann');

    // Only the two customers she manages, by name, and no credit-limit column or field.
    const list = page.locator('#customer-list');
    await expect(list.locator('.record')).toHaveCount(2);
    await expect(list).toContainText('Van Dijk Bouw');
    await expect(list).toContainText('Jansen & Zn');
    await expect(list).not.toContainText('De Vries Logistiek');
    for (const tab of ['Customers', 'Orders', 'Security']) {
      await page.getByRole('tab', { name: tab }).click();
      const text = await page.locator('[role="tabpanel"]:visible').innerText();
      expect(text).not.toMatch(/30,?000\.01|12,?000\.00/);
      expect(text.toLowerCase()).not.toContain('credit limit:');
    }
    await page.getByRole('tab', { name: 'Customers' }).click();
    await page.locator('.record', { hasText: 'Van Dijk Bouw' }).getByRole('button', { name: 'Edit Van Dijk Bouw' }).click();
    await expect(page.locator('#customer-form')).toBeVisible();
    await expect(page.locator('#customer-form').getByLabel('Credit limit')).toHaveCount(0);

    // Through the vault: the member is absent (no key at all), not merely empty (DESIGN.md §2).
    const objects = await page.evaluate(() => window.vault!.table('Sales.Customer').toArray());
    expect(objects.map((o) => o.id).sort()).toEqual([SEED.customers.vanDijk, SEED.customers.jansen]);
    for (const object of objects) expect.soft(Object.keys(object)).not.toContain('CreditLimit');

    // The server holds the credit limits; they were never sent to ann.
    const withLimit = await serverSql(host(), 'SELECT COUNT(*) AS n FROM "Sales.Customer" WHERE "AccountManager" = ? AND "CreditLimit" IS NOT NULL', ['ann']);
    expect(Number(withLimit[0]!['n'])).toBe(2);
    const asManager = await serverObjects(host(), 'meg', 'Sales.Customer');
    expect(asManager.get(SEED.customers.vanDijk)?.['CreditLimit']).toBe('30000.01');
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      expect(body).not.toContain('CreditLimit');
      expect(body).not.toContain('30000.01');
      expect(body).not.toContain(SEED.customers.deVries);
    }

    // Raw IndexedDB: neither the credit limits nor any readable customer data.
    const scan = await page.evaluate(scanOrigin, ['30000.01', 'Van Dijk Bouw', 'Jansen & Zn', 'Rotterdam', 'Utrecht', 'De Vries Logistiek']);
    expect(scan.databases).toContain('offline-vault/sales-ann');
    expect(scan.rows).toBeGreaterThan(5);
    expect(scan.hits).toEqual([]);
  });

  test('searching customers runs a local contains() query; the order status filter reads through the blind index', async ({ page }) => {
    await signInAs(page, host(), 'ann');
    await page.getByLabel('Search customers').fill('utrE');
    await expect(page.locator('#customer-list .record')).toHaveCount(1);
    await expect(page.locator('#customer-list')).toContainText('Jansen & Zn');
    await expect(page.getByRole('heading', { name: /1 of 2 customers match/ })).toBeVisible();
    await page.getByLabel('Search customers').fill('nowhere');
    await expect(page.locator('#customer-list')).toContainText('No customer name or city contains that text.');

    await page.getByRole('tab', { name: 'Orders' }).click();
    // Closed orders are outside the sync filter: ann's device holds 1001, 1002 and 1004.
    await expect(page.locator('#order-list .record')).toHaveCount(3);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Open orders (2)' })).toBeVisible();
    await expect(page.locator('#order-list')).toContainText('#1004');
    await expect(page.locator('#order-list')).not.toContainText('#1002');
    await page.getByRole('button', { name: 'Paid', exact: true }).click();
    await expect(page.locator('#order-list .record')).toHaveCount(1);
    await expect(page.locator('#order-list')).toContainText('#1002');
  });

  test('the order form reports invalid and missing values next to the fields and writes nothing', async ({ page }) => {
    await signInAs(page, host(), 'ann');
    await page.getByRole('tab', { name: 'Orders' }).click();
    const form = page.locator('#order-form');
    await form.getByLabel('Order number').fill('12a');
    await form.getByLabel('Total price').fill('lots');
    await form.getByRole('button', { name: 'Add order' }).click();
    await expect(form.locator('#order-Number-error')).toHaveText('Enter a whole number, like 1042.');
    await expect(form.locator('#order-TotalPrice-error')).toHaveText('Enter an amount, like 1250.50.');
    await expect(form.locator('#order-Status-error')).toHaveText('This field is required.');
    await expect(form.locator('#order-Sales-Order_Customer-error')).toHaveText('This field is required.');
    await expect(form.getByLabel('Order number')).toBeFocused();
    await expect(page.locator('#pending-count')).toHaveText('All changes synced');
    expect(await page.evaluate(() => window.vault!.pendingChanges())).toBe(0);
  });
});
