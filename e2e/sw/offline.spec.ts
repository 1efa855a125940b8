import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect, test, type Page } from '@playwright/test';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { DEMO_DIST } from '../fixtures.js';
import { scanOrigin } from '../store/scan-origin.js';
import { BIG_SIZE, CANARY_LENGTH, IMAGE_HEIGHT, IMAGE_WIDTH, makeBigFile, makeBitmap, pixelColor } from './app/test-data.js';
import { scanCaches } from './scan-caches.js';

/** A fresh canary of CANARY_LENGTH characters (the app's code cannot contain it). */
const canary = (tag: string): string => `${tag}-${randomBytes(8).toString('hex')}`.slice(0, CANARY_LENGTH);
const IMAGE_CANARY = canary('IMG');
const BIG_CANARY = canary('BIG');
const RECORD_CANARY = canary('REC');
const SYNC_CANARY = canary('SYNC');
/** Written into e2e/sw/app/index.html: plaintext of the app shell, which the cache scan must see. */
const SHELL_MARKER = 'SW-SHELL-MARKER-61b9';
const ARTIFACTS = 'e2e-artifacts';

async function openTestApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.swApp?.ready === true);
}

/** Pixels of the rendered <img>, drawn to a canvas: what the browser decoded. */
async function samplePixels(page: Page, points: Array<[number, number]>): Promise<number[][]> {
  return page.locator('#photos img').evaluate((img: HTMLImageElement, pts) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return pts.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]);
  }, points);
}

test('offline, the shell, the records and the encrypted files are served by the worker; nothing plain is cached', async ({ page, context }) => {
  // A stand-in for the sync server on the same origin: plaintext answers that must never be cached.
  const syncRoute = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.startsWith('/sync/')) return false;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ canary: SYNC_CANARY }));
    return true;
  };
  const server = await startStaticServer({ root: DEMO_DIST, port: 0, handlers: [syncRoute] });
  let serverUp = true;
  try {
    const appUrl = `${server.url}sw-test/`;
    await openTestApp(page, appUrl);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    const stored = await page.evaluate(async ({ caption, imageCanary, bigCanary }) => {
      const { vault, makeBitmap, makeBigFile } = window.swApp;
      const photo = await vault.table('Gallery.Photo').put({ Caption: caption });
      await vault.files.put('Gallery.Photo', photo, new Blob([makeBitmap(imageCanary)], { type: 'image/bmp' }));
      const data = await vault.table('Gallery.Data').put({ Name: 'five megabytes' });
      await vault.files.put('Gallery.Data', data, new Blob([makeBigFile(bigCanary)]), { contentType: 'application/octet-stream' });
      const sync = await fetch('/sync/v1/ping').then((r) => r.json()); // reaches the network while online
      const info = await vault.files.info(photo);
      return { photoUrl: vault.files.url(photo), dataUrl: vault.files.url(data), sync, photoInfo: [info?.encrypted, info?.size] };
    }, { caption: `${RECORD_CANARY} sunset`, imageCanary: IMAGE_CANARY, bigCanary: BIG_CANARY });
    expect(stored.photoUrl).toMatch(/^\/vault-files\/sw-test\/[^/]+$/);
    expect(stored.sync).toEqual({ canary: SYNC_CANARY });
    expect(stored.photoInfo).toEqual([true, makeBitmap(IMAGE_CANARY).length]); // 153,654 bytes: three segments

    // No network path at all: the browser is offline and the server is gone.
    await context.setOffline(true);
    await server.close();
    serverUp = false;
    await page.reload();
    await page.waitForFunction(() => window.swApp?.ready === true);
    // The reload was answered by the worker (from the precache: nothing else could answer).
    const nav = await page.evaluate(() => {
      const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { controlled: navigator.serviceWorker.controller !== null, viaWorker: entry.workerStart > 0 };
    });
    expect(nav).toEqual({ controlled: true, viaWorker: true });
    await expect(page.locator('#net')).toHaveText('offline');
    await expect(page.locator('.caption')).toHaveText(`${RECORD_CANARY} sunset`);

    // The photo renders through its file URL, decrypted in the worker.
    const img = page.locator('#photos img');
    await expect(img).toHaveAttribute('src', stored.photoUrl);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : -1))).toBe(IMAGE_WIDTH);
    expect(await img.evaluate((el: HTMLImageElement) => el.naturalHeight)).toBe(IMAGE_HEIGHT);
    const points: Array<[number, number]> = [[128, 100], [5, 5], [250, 190], [20, 150]];
    const pixels = await samplePixels(page, points);
    const expected = points.map(([x, y]) => pixelColor(x, y));
    pixels.forEach((rgb, i) => rgb.forEach((c, k) => expect(Math.abs(c - expected[i]![k]!)).toBeLessThanOrEqual(2)));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/sw-offline-photo.png` });

    // Range, whole-file, 404 and 416 answers of the worker, all offline.
    const answers = await page.evaluate(async ({ dataUrl, photoUrl }) => {
      const ranged = await fetch(dataUrl, { headers: { Range: 'bytes=70000-140000' } });
      const whole = await fetch(dataUrl);
      const wholeBytes = new Uint8Array(await whole.arrayBuffer());
      const photo = await fetch(photoUrl);
      return {
        ranged: { status: ranged.status, range: ranged.headers.get('Content-Range'), length: ranged.headers.get('Content-Length'), bytes: [...new Uint8Array(await ranged.arrayBuffer())] },
        whole: { status: whole.status, length: whole.headers.get('Content-Length'), size: wholeBytes.length, sha256: [...new Uint8Array(await crypto.subtle.digest('SHA-256', wholeBytes))] },
        photoType: photo.headers.get('Content-Type'),
        missing: (await fetch('/vault-files/sw-test/no-such-object')).status,
        unknownVault: (await fetch('/vault-files/no-such-vault/x')).status,
        unsatisfiable: await fetch(dataUrl, { headers: { Range: 'bytes=99999999-' } }).then((r) => [r.status, r.headers.get('Content-Range')]),
      };
    }, stored);
    const big = makeBigFile(BIG_CANARY);
    expect(answers.ranged.status).toBe(206);
    expect(answers.ranged.range).toBe(`bytes 70000-140000/${BIG_SIZE}`);
    expect(answers.ranged.length).toBe('70001');
    expect(Buffer.from(answers.ranged.bytes).equals(Buffer.from(big.subarray(70000, 140001)))).toBe(true);
    expect(answers.whole).toEqual({
      status: 200,
      length: String(BIG_SIZE),
      size: BIG_SIZE,
      sha256: [...createHash('sha256').update(big).digest()],
    });
    expect(answers.photoType).toBe('image/bmp');
    expect([answers.missing, answers.unknownVault]).toEqual([404, 404]);
    expect(answers.unsatisfiable).toEqual([416, `bytes */${BIG_SIZE}`]);

    // The sync path is never answered from a cache: offline it fails.
    const syncOffline = await page.evaluate(() => fetch('/sync/v1/ping').then((r) => `status ${r.status}`, (e: Error) => e.name));
    expect(syncOffline).toBe('TypeError');

    // A navigation outside the precache falls back to the cached shell.
    const deep = await context.newPage();
    await deep.goto(`${appUrl}photos/42`);
    await deep.waitForFunction(() => window.swApp?.ready === true);
    await expect(deep.locator('.caption')).toHaveText(`${RECORD_CANARY} sunset`);
    await deep.close();

    // Cache Storage holds the shell (the scanner sees its marker) and nothing of the data.
    const caches = await page.evaluate(scanCaches, [SHELL_MARKER, IMAGE_CANARY, BIG_CANARY, RECORD_CANARY, SYNC_CANARY]);
    expect(caches.urls.some((u) => u.includes('/sw-test/index.html'))).toBe(true);
    expect(caches.found).toEqual([SHELL_MARKER]);
    expect(caches.urls.filter((u) => u.includes('/sync/') || u.includes('/vault-files/'))).toEqual([]);
    // And IndexedDB holds the file and the record only encrypted.
    const idb = await page.evaluate(scanOrigin, [IMAGE_CANARY, BIG_CANARY, RECORD_CANARY]);
    expect(idb.stores).toContain('offline-vault/sw-test/_fileChunks');
    expect(idb.found).toEqual([]);
    // Positive control: the bitmap does carry its canary in plaintext.
    expect(new TextDecoder().decode(makeBitmap(IMAGE_CANARY)).includes(IMAGE_CANARY)).toBe(true);
  } finally {
    if (serverUp) await server.close();
  }
});
