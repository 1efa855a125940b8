import { expect, test } from '@playwright/test';
import { useDemoHost } from './demo-host.js';
import { DESKTOP, holdReencryptionMidway, keyringHasCryptoKeys, PASSPHRASE, PHONE, shot, signIn } from './security-helpers.js';
import { PNG_WIDTH, quadrantPng } from './test-png.js';

const host = useDemoHost();

test('plaintext start → encryption turned on with visible progress → passphrase → reload shows the lock screen, a wrong passphrase is refused, the right one shows the data', async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signIn(page, host(), 'ann', { plaintext: true });
  const security = page.getByRole('tab', { name: 'Security' });
  await security.click();
  await expect(page.locator('#protection-level')).toHaveText('Not encrypted');
  await expect(page.locator('#protection-explainer')).toContainText('reads every record as is');
  await expect(page.locator('#audit-result')).toHaveText('Encryption off');
  // The raw viewer shows the customer in plaintext on disk.
  const rawCustomers = page.locator('[data-store="Sales.Customer"] .raw-side');
  await expect(rawCustomers.first()).toContainText('Van Dijk Bouw');

  // Turn encryption on; the migration is held after its first batch so its progress can be seen.
  const hold = await holdReencryptionMidway(page);
  await page.getByRole('button', { name: 'Turn on database encryption' }).click();
  const progress = page.getByRole('progressbar', { name: 'Encrypting the database' });
  await expect(progress).toBeVisible();
  await expect(page.locator('#reencrypt-progress-count')).toContainText(/^\d+ of \d+ rows/);
  const now = Number(await progress.getAttribute('aria-valuenow'));
  const max = Number(await progress.getAttribute('aria-valuemax'));
  expect(now).toBeGreaterThan(0);
  expect(now).toBeLessThan(max);
  await expect(page.locator('#audit-result')).toHaveText(/^\d+ rows? in plaintext$/);
  await shot(page, 'demo-desktop-security-migrating');

  // Meanwhile the rest of the app works: a local search over the customers.
  await page.getByRole('tab', { name: 'Customers' }).click();
  await page.getByLabel('Search customers').fill('rotter');
  await expect(page.locator('#customer-list .record')).toHaveCount(1);
  await expect(page.locator('#customer-list')).toContainText('Van Dijk Bouw');
  await page.getByLabel('Search customers').fill('');

  await hold.release();
  await security.click();
  await expect(page.locator('#reencrypt-progress-count')).toHaveText(/^Done: \d+ rows encrypted\.$/);
  await expect(progress).toHaveAttribute('aria-valuenow', String(max));
  await expect(page.locator('#protection-level')).toHaveText('Device key');
  await expect(page.locator('#audit-result')).toHaveText('Nothing exposed');
  await expect(rawCustomers.first()).not.toContainText('Van Dijk Bouw');
  await expect(rawCustomers.first()).toContainText('sealed record (AES-GCM)');
  const report = await page.evaluate(() => window.vault!.verifyEncryption());
  expect(report.encrypted).toBe(true);
  expect(report.ok).toBe(true);
  expect(report.stores.find((s) => s.name === 'Sales.Customer')).toMatchObject({ rows: 2, sealed: 2, unexpectedPlaintext: 0 });

  // Passphrase: the form validates before anything changes.
  await page.getByRole('button', { name: 'Protect with a passphrase' }).click();
  const protect = page.locator('#protect-form');
  await protect.getByLabel('Passphrase', { exact: true }).fill('short');
  await protect.getByLabel('Repeat the passphrase').fill('shorter');
  await protect.getByRole('button', { name: 'Set passphrase' }).click();
  await expect(protect.getByText('Use at least 8 characters.')).toBeVisible();
  await expect(protect.getByText('The passphrases do not match.')).toBeVisible();
  await expect(page.locator('#protection-level')).toHaveText('Device key');
  await protect.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await protect.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
  await protect.getByRole('button', { name: 'Set passphrase' }).click();
  await expect(page.locator('#reencrypt-progress-count')).toHaveText(/^Done: \d+ rows re-encrypted under the new protection\.$/);
  await expect(page.locator('#protection-level')).toHaveText('Passphrase');
  await expect(protect).toBeHidden();
  await expect(page.locator('#audit-result')).toHaveText('Nothing exposed');
  expect(await keyringHasCryptoKeys(page)).toBe(false);
  await shot(page, 'demo-desktop-security-protected');

  // The draft note lives in memory only: no store holds it.
  await page.getByLabel('Note', { exact: true }).fill('Call back about the invoice');
  await expect(page.locator('#draft-status')).toHaveText('Kept in memory: 27 characters.');
  await expect(page.locator('[data-store="Sales.Draft"]')).toHaveCount(0);

  // A reload opens the vault locked: the unlock form instead of the data.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Locked' })).toBeVisible();
  await expect(page.locator('#lock-reason')).toContainText('protected by your passphrase');
  await expect(page.locator('#customer-list')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('Van Dijk Bouw');
  expect(await page.evaluate(() => window.vault!.locked)).toBe(true);
  await shot(page, 'demo-desktop-locked');

  await page.getByLabel('Passphrase').fill('not the passphrase');
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('#unlock-error')).toHaveText('Wrong passphrase.');
  await expect(page.getByLabel('Passphrase')).toHaveAttribute('aria-invalid', 'true');
  expect(await page.evaluate(() => window.vault!.locked)).toBe(true);

  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('#customer-list .record')).toHaveCount(2);
  await expect(page.locator('#customer-list')).toContainText('Van Dijk Bouw');
  await security.click();
  await expect(page.locator('#protection-level')).toHaveText('Passphrase');
  await expect(page.getByLabel('Note', { exact: true })).toHaveValue('');

  // Lock now, on a phone: the lock screen again, then the Security tab after unlocking.
  await page.setViewportSize(PHONE);
  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.locator('#lock-reason')).toContainText('You locked the app');
  await shot(page, 'demo-phone-locked');
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('#customer-list .record')).toHaveCount(2);
  await security.click();
  await expect(page.locator('#audit-result')).toHaveText('Nothing exposed');
  await shot(page, 'demo-phone-security-protected', { at: page.locator('#panel-security') });
  await shot(page, 'demo-phone-security-settings', { at: page.locator('#security-settings') });
});

test('a photo stored while encryption was off is encrypted by “Encrypt existing files” and the service worker still serves it byte for byte', async ({ page }) => {
  const png = quadrantPng();
  await page.setViewportSize(DESKTOP);
  await signIn(page, host(), 'ann', { plaintext: true });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByRole('tab', { name: 'Orders' }).click();
  const form = page.locator('#order-form');
  await form.getByLabel('Order number').fill('3001');
  await form.getByLabel('Customer').selectOption({ label: 'Van Dijk Bouw' });
  await form.getByLabel('Status').selectOption('Open');
  await form.getByLabel('Photo').setInputFiles({ name: 'site-visit.png', mimeType: 'image/png', buffer: png });
  await form.getByRole('button', { name: 'Add order' }).click();
  await expect(form.getByRole('status')).toHaveText('Order added.');

  await page.getByRole('tab', { name: 'Security' }).click();
  await expect(page.locator('#file-encryption-state')).toContainText('1 photo is stored unencrypted. Turn on database encryption first.');
  await expect(page.getByRole('button', { name: 'Encrypt existing files' })).toBeDisabled();
  await page.getByRole('button', { name: 'Turn on database encryption' }).click();
  await expect(page.locator('#reencrypt-progress-count')).toHaveText(/^Done: \d+ rows encrypted\.$/);
  await expect(page.locator('#audit-plain-files')).toHaveText('1 photo was stored while file encryption was off: use Encrypt existing files.');

  await page.getByRole('button', { name: 'Encrypt existing files' }).click();
  await expect(page.locator('#file-progress-count')).toHaveText('Done: 1 photo encrypted.');
  await expect(page.getByRole('progressbar', { name: 'Encrypting photos' })).toHaveAttribute('aria-valuenow', '1');
  await expect(page.locator('#file-encryption-state')).toContainText('No unencrypted photos on this device.');
  await expect(page.getByRole('button', { name: 'Encrypt existing files' })).toBeHidden();
  await expect(page.locator('#audit-plain-files')).toHaveCount(0);
  const report = await page.evaluate(() => window.vault!.verifyEncryption());
  expect(report.ok).toBe(true);
  expect(report.stores.find((s) => s.name === '_files')).toMatchObject({ rows: 1, sealed: 1, plainByDesign: 0 });

  // After a reload the worker decrypts the re-encrypted file for the <img>.
  await page.reload();
  await page.getByRole('tab', { name: 'Orders' }).click();
  const img = page.locator('#order-list .record', { hasText: '#3001' }).locator('img.thumb');
  await expect(img).toHaveAttribute('src', /^\/vault-files\/sales-ann\/[^/?]+$/);
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : -1))).toBe(PNG_WIDTH);
  const served = await img.evaluate(async (el: HTMLImageElement) => [...new Uint8Array(await (await fetch(el.src)).arrayBuffer())]);
  expect(Buffer.from(served).equals(png)).toBe(true);
});
