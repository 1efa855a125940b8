// The demo as `npm start` runs it (scripts/serve.mjs), started in-process once per test file with an
// in-memory SQLite database, plus helpers that act as the server side of the journeys.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startDemoHost, type DemoHost } from '../../scripts/serve.mjs';

export const ARTIFACTS = fileURLToPath(new URL('../../e2e-artifacts/', import.meta.url));

/** Seeded ids (src/server/demo/seed-demo-data.ts). */
export const SEED = {
  customers: {
    vanDijk: '00000000-0000-4000-8000-c00000000001', // ann, CreditLimit 30000.01
    jansen: '00000000-0000-4000-8000-c00000000002', // ann, CreditLimit 12000
    deVries: '00000000-0000-4000-8000-c00000000003', // bob
  },
  orders: { o1001: '00000000-0000-4000-8000-000000000001', o1004: '00000000-0000-4000-8000-000000000004' },
} as const;

/** Starts a demo host for the tests of this file (beforeAll) and stops it (afterAll). */
export function useDemoHost(): () => DemoHost {
  let host: DemoHost | undefined;
  test.beforeAll(async () => {
    host = await startDemoHost({ port: 0, dbPath: ':memory:' });
  });
  test.afterAll(async () => {
    await host?.close();
  });
  return () => {
    if (host === undefined) throw new Error('demo host not started');
    return host;
  };
}

/** A demo host that a test can take away (no server at all) and bring back on the same origin. */
export interface RestartableDemoHost {
  /** The running host (throws while stopped). */
  (): DemoHost;
  /** Closes the server: its port refuses connections; the data stays in its SQLite file. */
  stop(): Promise<void>;
  /** Starts it again on the same port, over the same SQLite file and token secret (sessions stay valid). */
  restart(): Promise<DemoHost>;
}

/**
 * Like `useDemoHost`, but on a SQLite file in a temporary directory and with a fixed token
 * secret, so that `stop()` / `restart()` keep the origin, the server's data and the users' tokens.
 */
export function useRestartableDemoHost(): RestartableDemoHost {
  const dir = mkdtempSync(join(tmpdir(), 'ov-demo-'));
  const options = { dbPath: join(dir, 'demo.db'), secret: randomBytes(32).toString('hex') };
  let host: DemoHost | undefined;
  let port = 0;
  test.beforeAll(async () => {
    host = await startDemoHost({ ...options, port: 0 });
    port = host.port;
  });
  test.afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const current = (() => {
    if (host === undefined) throw new Error('demo host not running');
    return host;
  }) as RestartableDemoHost;
  current.stop = async () => {
    const running = current();
    host = undefined;
    await running.close();
  };
  current.restart = async () => {
    if (host !== undefined) throw new Error('demo host already running');
    const started = await startDemoHost({ ...options, port });
    host = started;
    // startDemoHost moves on to the next port when one is busy: that would be another origin.
    if (started.port !== port) throw new Error(`demo host came back on port ${started.port}, not ${port}`);
    return started;
  };
  return current;
}

/** Opens the demo, signs in as `user` and waits for the first sync to finish. */
export async function signInAs(page: Page, host: DemoHost, user: string): Promise<void> {
  await page.goto(host.url);
  await page.locator(`.user-card[data-user="${user}"]`).click();
  await expect(page.locator('#signed-in-user')).toHaveAttribute('data-user', user);
  await expect(page.locator('#sync-outcome')).toContainText('Synced at');
}

/** Clicks Sync now and waits until the sync ended (successfully or not). */
export async function syncNow(page: Page): Promise<void> {
  await page.locator('#sync-button').click();
  await expect(page.locator('#sync-button')).toBeEnabled();
  await expect(page.locator('#sync-outcome')).not.toBeEmpty();
}

interface ProtocolResult {
  mutationId: string;
  status: 'applied' | 'rejected';
  reason?: { code: string };
}

/** Uploads changes to the demo server as `user` over HTTP, as another device of that user would. */
export async function uploadAs(host: DemoHost, user: string, changes: Array<Record<string, unknown>>): Promise<ProtocolResult[]> {
  const response = await fetch(`${host.url}sync/v1/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.demo.tokenFor(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 1, clientId: `e2e-${user}`, changes: changes.map((c) => ({ mutationId: crypto.randomUUID(), ...c })) }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { results: ProtocolResult[] }).results;
}

/** What `user` may read of `entity` on the server: a full download over HTTP, id to values. */
export async function serverObjects(host: DemoHost, user: string, entity: string): Promise<Map<string, Record<string, unknown>>> {
  const response = await fetch(`${host.url}sync/v1/download`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.demo.tokenFor(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 1, entities: { [entity]: { checkpoint: null } } }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { entities: Record<string, { upserts: Array<{ id: string; values: Record<string, unknown> }> }> };
  return new Map(body.entities[entity]!.upserts.map((u) => [u.id, u.values]));
}

/** Rows of a SQL query on the demo server's own SQLite database. */
export function serverSql(host: DemoHost, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return host.demo.store.transaction('read', (tx) => tx.all(sql, params));
}
