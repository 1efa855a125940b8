// Helpers of the Security-tab journeys (security-lifecycle.spec.ts, security-unlock.spec.ts).
import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
import type { DemoHost } from '../../scripts/serve.mjs';
import { ARTIFACTS } from './demo-host.js';

export const PASSPHRASE = 'correct horse battery staple';
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The demo at http://localhost:<port>/: WebAuthn refuses IP addresses as relying party ids. */
export function localOrigin(host: DemoHost): string {
  return `http://localhost:${host.port}/`;
}

/** A screenshot of the whole page, or of one part of it (`of`), or of the viewport scrolled to `at`. */
export async function shot(page: Page, file: string, where: { of?: Locator; at?: Locator } = {}): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  const path = `${ARTIFACTS}${file}.png`;
  if (where.of !== undefined) {
    // Tall enough for the whole part, so the sticky sync bar does not cover it.
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: size.width, height: 2400 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await where.of.screenshot({ path });
    return void (await page.setViewportSize(size));
  }
  if (where.at !== undefined) {
    await where.at.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    return void (await page.screenshot({ path }));
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
}

/** Signs in as `user`, optionally with the "Start without database encryption" demo setting. */
export async function signIn(page: Page, host: DemoHost, user: string, options: { plaintext: boolean }): Promise<void> {
  await page.goto(localOrigin(host));
  await page.getByLabel('Start without database encryption').setChecked(options.plaintext);
  await page.locator(`.user-card[data-user="${user}"]`).click();
  await expect(page.locator('#signed-in-user')).toHaveAttribute('data-user', user);
  await expect(page.locator('#sync-outcome')).toContainText('Synced at');
}

/**
 * Pauses a re-encryption between two batches: after the first progress event that is not the
 * last, every `crypto.subtle.encrypt` call (the next batch resealing its rows) waits until
 * `release()`. Reads and decryption go on, so the app, the audit and the raw viewer still work.
 */
export async function holdReencryptionMidway(page: Page): Promise<{ release(): Promise<void> }> {
  await page.evaluate(() => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    let holding = false;
    const encrypt = crypto.subtle.encrypt.bind(crypto.subtle);
    crypto.subtle.encrypt = async (...args: Parameters<SubtleCrypto['encrypt']>) => {
      if (holding) await gate;
      return encrypt(...args);
    };
    const off = window.vault!.on('reencrypt-progress', (p) => {
      if (p.done === 0 || p.done >= p.total) return;
      holding = true;
      off();
    });
    (window as unknown as { releaseHold: () => void }).releaseHold = () => {
      holding = false;
      open();
    };
  });
  return {
    async release() {
      await page.evaluate(() => (window as unknown as { releaseHold: () => void }).releaseHold());
    },
  };
}

/** Whether any `_keyring` row holds a usable CryptoKey (at passphrase / passkey level none may). */
export function keyringHasCryptoKeys(page: Page): Promise<boolean> {
  return page.evaluate(
    (name) =>
      new Promise<boolean>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => {
          const all = request.result.transaction('_keyring').objectStore('_keyring').getAll();
          all.onsuccess = () => {
            request.result.close();
            resolve((all.result as Array<Record<string, unknown>>).some((row) => row['key'] instanceof CryptoKey));
          };
        };
        request.onerror = () => reject(request.error);
      }),
    'offline-vault/sales-ann',
  );
}

/** Security tab → Protect with a passphrase → waits until the re-encryption is done. */
export async function protectWithPassphrase(page: Page, passphrase: string): Promise<void> {
  await page.getByRole('button', { name: 'Protect with a passphrase' }).click();
  const form = page.locator('#protect-form');
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByLabel('Repeat the passphrase').fill(passphrase);
  await form.getByRole('button', { name: 'Set passphrase' }).click();
  await expect(page.locator('#reencrypt-progress-count')).toHaveText(/^Done: \d+ rows re-encrypted under the new protection\.$/);
  await expect(page.locator('#protection-level')).toHaveText('Passphrase');
}
