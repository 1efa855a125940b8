import { fileURLToPath } from 'node:url';
import { expect, test } from '../fixtures.js';

const ARTIFACTS = fileURLToPath(new URL('../../e2e-artifacts/', import.meta.url));

test.describe('demo app', () => {
  test('creates, lists and edits a customer, and the raw panel shows ciphertext instead of the name', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByText('Encrypted at rest')).toBeVisible();
    const form = page.locator('#customer-form');
    const list = page.locator('#customer-list');

    // A missing required name is reported next to the field and nothing is written.
    await form.getByRole('button', { name: 'Add customer' }).click();
    await expect(form.locator('#customer-Name-error')).toHaveText(/required/i);
    await expect(page.getByRole('heading', { name: 'Customers (0)' })).toBeVisible();

    await form.getByLabel('Name').fill('Ada Lovelace');
    await form.getByLabel('City').fill('London');
    await form.getByLabel('Credit limit').fill('1250.50');
    await form.getByRole('button', { name: 'Add customer' }).click();
    await expect(list.locator('.record')).toHaveCount(1);
    await expect(list).toContainText('Ada Lovelace');
    await expect(list).toContainText('€ 1,250.50');

    await list.getByRole('button', { name: 'Edit Ada Lovelace' }).click();
    await expect(form.getByLabel('Name')).toHaveValue('Ada Lovelace');
    await form.getByLabel('Name').fill('Ada King');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(list.locator('.record')).toHaveCount(1);
    await expect(list).toContainText('Ada King');
    await expect(list).not.toContainText('Ada Lovelace');

    const store = page.locator('[data-store="Sales.Customer"]');
    const row = store.locator('.raw-row');
    await expect(row).toHaveCount(1);
    await expect(row.locator('.plain-side')).toContainText('Ada King');
    const onDisk = row.locator('.raw-side');
    await expect(onDisk.locator('dt', { hasText: /^e/ })).toHaveCount(1);
    await expect(onDisk.locator('.raw-bytes code').first()).toHaveText(/^[0-9a-f]{4}( [0-9a-f]{2,4})+/);
    const diskText = (await onDisk.innerText()).toLowerCase();
    for (const plain of ['ada', 'king', 'lovelace', 'london', '1250']) expect(diskText).not.toContain(plain);

    // The city search runs over the blind index.
    await page.getByLabel('Find customers by city').fill('London');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('heading', { name: /1 customer in/ })).toBeVisible();
    await page.getByLabel('Find customers by city').fill('Paris');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('heading', { name: /0 customers in/ })).toBeVisible();
  });

  test('screenshots of the demo with sample data (desktop and phone width)', async ({ page }) => {
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto('/');
    await page.getByRole('button', { name: 'Add sample data' }).click();
    await expect(page.locator('#customer-list .record')).toHaveCount(3);
    await expect(page.locator('[data-store="Sales.Order"] .raw-row')).toHaveCount(3);
    await page.screenshot({ path: `${ARTIFACTS}demo-desktop.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Orders' }).click();
    await expect(page.locator('#order-list .record')).toHaveCount(3);
    await page.locator('#order-form').getByRole('button', { name: 'Add order' }).click();
    await expect(page.locator('#order-form .field-error:visible')).toHaveCount(2); // Order number and Status
    await page.screenshot({ path: `${ARTIFACTS}demo-desktop-orders.png`, fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'Customers' }).click();
    await page.screenshot({ path: `${ARTIFACTS}demo-phone.png`, fullPage: true });
    await page.screenshot({ path: `${ARTIFACTS}demo-phone-top.png` });
  });
});
