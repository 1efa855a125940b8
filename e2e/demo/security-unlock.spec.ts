import { expect, test } from '@playwright/test';
import { addVirtualAuthenticator } from '../store/virtual-authenticator.js';
import { useDemoHost } from './demo-host.js';
import { keyringHasCryptoKeys, localOrigin, PASSPHRASE, protectWithPassphrase, signIn } from './security-helpers.js';

const host = useDemoHost();

test('changing the passphrase needs the current one; rotating keys moves every store to a new key generation; a locked vault whose passphrase is lost can be erased', async ({ page }) => {
  await signIn(page, host(), 'ann', { plaintext: false });
  await page.getByRole('tab', { name: 'Security' }).click();
  await expect(page.locator('#protection-level')).toHaveText('Device key');
  await protectWithPassphrase(page, PASSPHRASE);

  await page.getByRole('button', { name: 'Change passphrase' }).click();
  const change = page.locator('#change-form');
  await change.getByLabel('Current passphrase').fill('wrong current passphrase');
  await change.getByLabel('New passphrase').fill('a brand new passphrase');
  await change.getByLabel('Repeat the passphrase').fill('a brand new passphrase');
  await change.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(change.locator('#change-form-current-error')).toHaveText('Wrong passphrase.');
  await change.getByLabel('Current passphrase').fill(PASSPHRASE);
  await change.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(change).toBeHidden();

  const before = await page.evaluate(() => window.vault!.verifyEncryption());
  const generation = before.stores.find((s) => s.name === 'Sales.Customer')!.keyIds;
  expect(generation).toHaveLength(1);
  await page.getByRole('button', { name: 'Rotate keys' }).click();
  await expect(page.locator('#reencrypt-progress-count')).toHaveText(/re-encrypted with new keys; the old keys are destroyed\.$/);
  const after = await page.evaluate(() => window.vault!.verifyEncryption());
  expect(after.ok).toBe(true);
  for (const store of after.stores.filter((s) => s.keyIds.length > 0)) expect(store.keyIds).toEqual([generation[0]! + 1]);
  await expect(page.locator('#audit tr[data-store="Sales.Customer"] .audit-keys')).toHaveText(String(generation[0]! + 1));

  // The new passphrase unlocks after a reload; the old one no longer does.
  await page.reload();
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('#unlock-error')).toHaveText('Wrong passphrase.');
  await page.getByLabel('Passphrase').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('#customer-list .record')).toHaveCount(2);

  // A lost passphrase: the locked vault can still be erased (after a confirmation).
  await page.reload();
  await page.getByRole('button', { name: 'Erase this device’s data' }).click();
  const dialog = page.getByRole('dialog', { name: 'Erase this device’s data?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Erase and sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(names).not.toContain('offline-vault/sales-ann');
  // The demo's session and settings are gone (the SDK's eviction marker is the SDK's business).
  expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('offline-vault-demo/')))).toEqual([]);
});

test('with “Lock when idle” set, the vault locks itself after that long without use and shows why', async ({ page }) => {
  await page.clock.install();
  await signIn(page, host(), 'ann', { plaintext: false });
  await page.getByRole('tab', { name: 'Security' }).click();
  await expect(page.locator('#setting-lock')).toBeHidden(); // nothing to lock at the device level
  await protectWithPassphrase(page, PASSPHRASE);
  await page.getByLabel('Lock when idle').selectOption({ label: 'After 1 minute' });
  await expect(page.locator('#idle-lock-hint')).toContainText('locks after 1 minute without use');

  // The setting applies when the vault opens: reload, unlock, then leave it alone.
  await page.reload();
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.locator('#customer-list .record')).toHaveCount(2);
  await page.clock.fastForward('00:30');
  await expect(page.locator('#customer-list .record')).toHaveCount(2);
  // runFor, not fastForward: the idle timer re-arms itself for the time left since the last use,
  // and fastForward fires each due timer at most once per jump. Long enough that the sync started
  // by the unlock (a use of the vault) may end late on a loaded machine.
  await page.clock.runFor('01:45');
  await expect(page.getByRole('heading', { name: 'Locked' })).toBeVisible();
  await expect(page.locator('#lock-reason')).toContainText('Locked after a while without use');
  await expect(page.locator('body')).not.toContainText('Van Dijk Bouw');
});

test('a passkey without the PRF extension is refused with a clear message and the level stays; one with PRF protects the vault and unlocks it after a reload', async ({ page }) => {
  await page.goto(localOrigin(host()));
  await addVirtualAuthenticator(page, { prf: false });
  await signIn(page, host(), 'ann', { plaintext: false });
  await page.getByRole('tab', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Protect with a passkey' }).click();
  await expect(page.locator('#settings-message')).toContainText('cannot derive an encryption key');
  await expect(page.locator('#settings-message')).toContainText('Your protection is unchanged.');
  await expect(page.locator('#protection-level')).toHaveText('Device key');
  expect(await page.evaluate(() => window.vault!.securityLevel)).toBe('device');

  await addVirtualAuthenticator(page, { prf: true });
  await page.getByRole('button', { name: 'Protect with a passkey' }).click();
  await expect(page.locator('#protection-level')).toHaveText('Passkey');
  await expect(page.locator('#settings-message')).toBeHidden();
  await expect(page.locator('#protection-state')).toHaveText('Unlocks with a passkey.');
  await expect(page.locator('#reencrypt-progress-count')).toHaveText(/^Done: \d+ rows re-encrypted under the new protection\.$/);
  expect(await keyringHasCryptoKeys(page)).toBe(false);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Locked' })).toBeVisible();
  await expect(page.getByLabel('Passphrase')).toHaveCount(0);
  await page.getByRole('button', { name: 'Unlock with passkey' }).click();
  await expect(page.locator('#customer-list .record')).toHaveCount(2);
  await expect(page.locator('#customer-list')).toContainText('Van Dijk Bouw');
});
