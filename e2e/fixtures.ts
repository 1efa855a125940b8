import { test as base, expect, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../scripts/static-server.mjs';

/** The built demo and harness (npm run build). */
export const DEMO_DIST = fileURLToPath(new URL('../demo-dist/', import.meta.url));

interface WorkerFixtures {
  /** Base URL of a static server for demo-dist/, one per worker. */
  origin: string;
}

interface TestFixtures {
  /** A page on the harness (`/harness/`) with `window.ov` loaded. */
  harness: Page;
}

/** Opens the harness page at `origin` and waits until `window.ov` is there. */
export async function openHarness(page: Page, origin: string): Promise<Page> {
  await page.goto(`${origin}harness/`);
  await page.waitForFunction(() => window.ov?.ready === true);
  return page;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  origin: [
    async ({}, use) => {
      const server = await startStaticServer({ root: DEMO_DIST, port: 0 });
      await use(server.url);
      await server.close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ origin }, use) => use(origin),
  harness: async ({ page, origin }, use) => use(await openHarness(page, origin)),
});

export { expect };
