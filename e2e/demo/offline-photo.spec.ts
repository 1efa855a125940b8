import { mkdirSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ARTIFACTS, SEED, serverObjects, signInAs, syncNow, useRestartableDemoHost } from './demo-host.js';
import { PNG_HEIGHT, PNG_WIDTH, quadrantColor, quadrantPng } from './test-png.js';

const host = useRestartableDemoHost();

/** Pixels of a rendered <img>, drawn to a canvas: what the browser decoded. */
function samplePixels(img: Locator, points: Array<[number, number]>): Promise<number[][]> {
  return img.evaluate((el: HTMLImageElement, pts) => {
    const canvas = document.createElement('canvas');
    canvas.width = el.naturalWidth;
    canvas.height = el.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(el, 0, 0);
    return pts.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]);
  }, points);
}

async function shot(page: Page, file: string, viewport: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(viewport);
  await page.locator('#order-list .record', { hasText: '#3001' }).scrollIntoViewIfNeeded();
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: `${ARTIFACTS}${file}.png`, fullPage: true });
}

test('offline after a reload, ann adds an order with a photo that renders through the worker; back online, Sync puts both on the server byte for byte', async ({ page, context }) => {
  const png = quadrantPng();
  await signInAs(page, host(), 'ann');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByRole('tab', { name: 'Orders' }).click();
  const orderTitles = await page.locator('#order-list .record-title').allTextContents();
  expect(orderTitles.length).toBeGreaterThan(0);

  // No network at all: the browser is offline and the server is gone.
  await context.setOffline(true);
  await host.stop();
  await page.reload();
  await expect(page.locator('#signed-in-user')).toHaveAttribute('data-user', 'ann');
  const nav = await page.evaluate(() => {
    const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { controlled: navigator.serviceWorker.controller !== null, viaWorker: entry.workerStart > 0 };
  });
  expect(nav).toEqual({ controlled: true, viaWorker: true });
  await expect(page.locator('#connection')).toHaveText('Offline');
  await expect(page.locator('#customer-list .record')).toHaveCount(2);
  await expect(page.locator('#customer-list')).toContainText('Van Dijk Bouw');
  await page.getByRole('tab', { name: 'Orders' }).click();
  await expect(page.locator('#order-list .record-title')).toHaveText(orderTitles);

  // A new order with a photo, taken offline.
  const form = page.locator('#order-form');
  await form.getByLabel('Order number').fill('3001');
  await form.getByLabel('Customer').selectOption({ label: 'Van Dijk Bouw' });
  await form.getByLabel('Status').selectOption('Open');
  await form.getByLabel('Photo').setInputFiles({ name: 'site-visit.png', mimeType: 'image/png', buffer: png });
  await form.getByRole('button', { name: 'Add order' }).click();
  await expect(form.getByRole('status')).toHaveText('Order added.');

  const row = page.locator('#order-list .record', { hasText: '#3001' });
  const img = row.locator('img.thumb');
  await expect(img).toHaveAttribute('src', /^\/vault-files\/sales-ann\/[^/?]+$/);
  await expect(img).toHaveAttribute('alt', 'Photo of order 3001');
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : -1))).toBe(PNG_WIDTH);
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalHeight)).toBe(PNG_HEIGHT);
  const points: Array<[number, number]> = [[4, 4], [60, 3], [2, 44], [50, 30], [31, 23], [32, 24]];
  const pixels = await samplePixels(img, points);
  expect(pixels).toEqual(points.map(([x, y]) => quadrantColor(x, y)));
  // The worker answered from the vault: the decrypted bytes are the photo's.
  const served = await img.evaluate(async (el: HTMLImageElement) => {
    const response = await fetch(el.src);
    return { status: response.status, type: response.headers.get('Content-Type'), bytes: [...new Uint8Array(await response.arrayBuffer())] };
  });
  expect(served.status).toBe(200);
  expect(served.type).toBe('image/png');
  expect(Buffer.from(served.bytes).equals(png)).toBe(true);
  await expect(page.locator('#pending-count')).toHaveText('2 unsynced changes');
  // The app asked for a Background Sync, which the browser runs once the network is back.
  const syncTags = (): Promise<string[]> =>
    page.evaluate(async () => {
      const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { sync: { getTags(): Promise<string[]> } };
      return registration.sync.getTags();
    });
  await expect.poll(syncTags).toContain('offline-vault-sync');

  mkdirSync(ARTIFACTS, { recursive: true });
  await shot(page, 'demo-desktop-offline-photo', { width: 1366, height: 900 });
  await shot(page, 'demo-phone-offline-photo', { width: 390, height: 844 });
  await page.setViewportSize({ width: 1366, height: 900 });

  // Back online on the same origin, with the server's data where it was.
  const server = await host.restart();
  await context.setOffline(false);
  await expect(page.locator('#connection')).toHaveText('Online');
  await syncNow(page);
  await expect(page.locator('#pending-count')).toHaveText('All changes synced');
  await expect.poll(syncTags).toEqual([]);

  // On the server, as the manager reads it: the order, its photo object and the photo's bytes.
  const orders = [...(await serverObjects(server, 'meg', 'Sales.Order'))];
  const order = orders.find(([, values]) => values['Number'] === 3001);
  expect(order?.[1]).toMatchObject({ Status: 'Open', 'Sales.Order_Customer': SEED.customers.vanDijk });
  const photos = [...(await serverObjects(server, 'meg', 'Sales.Photo'))].filter(([, values]) => values['Sales.Photo_Order'] === order?.[0]);
  expect(photos).toHaveLength(1);
  const [photoId, photo] = photos[0]!;
  expect(photo).toMatchObject({ Name: 'site-visit.png', MimeType: 'image/png', Size: png.length });
  expect(await img.getAttribute('src')).toBe(`/vault-files/sales-ann/${photoId}`);
  const download = await fetch(`${server.url}sync/v1/files/Sales.Photo/${encodeURIComponent(photoId)}`, {
    headers: { authorization: `Bearer ${server.demo.tokenFor('meg')}` },
  });
  expect(download.status).toBe(200);
  expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
});
