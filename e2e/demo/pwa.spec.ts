import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { startDemoHost } from '../../scripts/serve.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import { DEMO_DIST } from '../fixtures.js';

test('Chromium finds the demo installable: a valid manifest with icons, a start URL and a service worker', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'ov-pwa-'));
  const host = await startDemoHost({ port: 0, dbPath: ':memory:' });
  // Installability is never granted in incognito, which Playwright's normal contexts are.
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await context.newPage();
    await page.goto(host.url);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.url).toBe(`${host.url}manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const data = JSON.parse(manifest.data!) as { icons: Array<{ src: string; sizes: string; purpose: string }> };
    expect(data).toMatchObject({ name: 'Field Sales · offline-vault demo', short_name: 'Field Sales', start_url: '/', display: 'standalone', theme_color: '#0f3d3e' });
    // Every icon is a PNG of the size it declares.
    const icons = await page.evaluate(async (list) => {
      return Promise.all(
        list.map(async (icon) => {
          const bitmap = await createImageBitmap(await (await fetch(icon.src)).blob());
          return `${bitmap.width}x${bitmap.height}`;
        }),
      );
    }, data.icons);
    expect(icons).toEqual(data.icons.map((icon) => icon.sizes));
    expect(data.icons.map((icon) => icon.purpose)).toEqual(expect.arrayContaining(['any', 'maskable']));
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
  } finally {
    await context.close();
    await host.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('a new service worker shows "A new version is available — Reload"; Reload activates it and reloads the page', async ({ page }) => {
  // A copy of the build, so that this test can publish a "new version" of sw.js.
  const root = mkdtempSync(join(tmpdir(), 'ov-dist-'));
  cpSync(DEMO_DIST, root, { recursive: true });
  const host = await startDemoHost({ port: 0, dbPath: ':memory:', root });
  try {
    await page.goto(host.url);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await expect(page.locator('#update-banner')).toHaveCount(0);

    appendFileSync(join(root, 'sw.js'), '\n// the next release\n');
    await page.evaluate(() => Object.assign(window, { beforeUpdate: true })); // gone after a reload
    await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
    const banner = page.locator('#update-banner');
    await expect(banner).toContainText('A new version is available —');
    await banner.getByRole('button', { name: 'Reload' }).click();

    // The page reloaded under the new worker, and nothing waits any more.
    await expect.poll(() => page.evaluate(() => 'beforeUpdate' in window).catch(() => true)).toBe(false);
    await expect(page.locator('.user-card')).toHaveCount(4);
    await expect(banner).toHaveCount(0);
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return { waiting: registration?.waiting !== null, controlled: navigator.serviceWorker.controller?.state ?? null };
        }),
      )
      .toEqual({ waiting: false, controlled: 'activated' });
  } finally {
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
});
