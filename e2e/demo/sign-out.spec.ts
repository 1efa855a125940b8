import { expect, test } from '@playwright/test';
import { signInAs, useDemoHost } from './demo-host.js';

const host = useDemoHost();

test('signing out with an unsynced change asks first; discarding wipes the user’s vault from the browser', async ({ page }) => {
  await signInAs(page, host(), 'ann');
  await page.getByRole('button', { name: 'Edit Van Dijk Bouw' }).click();
  await page.locator('#customer-form').getByLabel('City').fill('Delft');
  await page.locator('#customer-form').getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('#pending-count')).toHaveText('1 unsynced change');
  const before = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(before).toContain('offline-vault/sales-ann');

  await page.getByRole('button', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discard 1 change?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Keep them' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Keep them' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('#signed-in-user')).toHaveAttribute('data-user', 'ann');
  await expect(page.locator('#pending-count')).toHaveText('1 unsynced change');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Discard and sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const after = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(after.filter((name) => name?.includes('sales-ann'))).toEqual([]);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  expect(await page.evaluate(() => window.vault)).toBeUndefined();

  // A reload stays signed out, and the next user starts from an empty vault of their own.
  await page.reload();
  await expect(page.locator('.user-card[data-user="ann"] .user-device')).toBeHidden();
  await page.locator('.user-card[data-user="bob"]').click();
  await expect(page.locator('#sync-outcome')).toContainText('Synced at');
  await expect(page.locator('#customer-list')).not.toContainText('Van Dijk Bouw');
});

test('a synced user signs out without being asked', async ({ page }) => {
  await signInAs(page, host(), 'meg');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(names).not.toContain('offline-vault/sales-meg');
});
