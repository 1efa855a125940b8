import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect, test } from '@playwright/test';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { DEMO_DIST } from '../fixtures.js';

/** Serves sw-test/sw.js with a version comment appended once `version` is above 1 (a new deploy). */
function versionedWorker(): { handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>; version: number } {
  const state = {
    version: 1,
    async handler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      if (req.url !== '/sw-test/sw.js') return false;
      const source = await readFile(`${DEMO_DIST}sw-test/sw.js`, 'utf8');
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(state.version > 1 ? `${source}\n// deploy ${state.version}\n` : source);
      return true;
    },
  };
  return state;
}

test('an update waits for the app: onUpdate is called, apply() activates it and reloads under the new worker', async ({ page }) => {
  const worker = versionedWorker();
  const server = await startStaticServer({ root: DEMO_DIST, port: 0, handlers: [worker.handler] });
  try {
    await page.goto(`${server.url}sw-test/`);
    await page.waitForFunction(() => window.swApp?.ready === true && navigator.serviceWorker.controller !== null);
    expect(await page.evaluate(() => window.swApp.state.updates.length)).toBe(0);

    worker.version = 2;
    await page.evaluate(async () => (await window.swApp.worker).workbox.update());
    await page.waitForFunction(() => window.swApp.state.updates.length === 1);
    const before = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration('/sw-test/');
      (window as unknown as { beforeUpdate: boolean }).beforeUpdate = true;
      return { waiting: reg?.waiting?.state ?? null, active: reg?.active?.state ?? null };
    });
    expect(before).toEqual({ waiting: 'installed', active: 'activated' });

    await Promise.all([page.waitForEvent('load'), page.evaluate(() => window.swApp.state.updates[0]!.apply())]);
    await page.waitForFunction(() => window.swApp?.ready === true);
    const after = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration('/sw-test/');
      return {
        reloaded: (window as unknown as { beforeUpdate?: boolean }).beforeUpdate === undefined,
        waiting: reg?.waiting ?? null,
        controlled: navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller === reg?.active,
      };
    });
    expect(after).toEqual({ reloaded: true, waiting: null, controlled: true });
  } finally {
    await server.close();
  }
});

test('requestSync uses Background Sync, and the worker has the page run its onSync handler', async ({ page }) => {
  const server = await startStaticServer({ root: DEMO_DIST, port: 0 });
  try {
    await page.goto(`${server.url}sw-test/`);
    await page.waitForFunction(() => window.swApp?.ready === true && navigator.serviceWorker.controller !== null);
    expect(await page.evaluate(() => window.swApp.state.syncCalls)).toBe(0);
    const how = await page.evaluate(async () => (await window.swApp.worker).requestSync());
    expect(how).toBe('background-sync');
    // Online, Chromium fires the sync event at once; the worker asks this page, which runs onSync.
    await page.waitForFunction(() => window.swApp.state.syncCalls === 1);
  } finally {
    await server.close();
  }
});
