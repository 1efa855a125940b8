// Issue 4 in a real browser: the built client in Chromium against the built reference server
// (SQLite in memory) on the same origin.
import type { Page } from '@playwright/test';
import { expect, openHarness, test } from '../fixtures.js';
import { NOTES_SYNC_APP, useSyncHost } from './sync-host.js';

const host = useSyncHost();
const NOTE = 'Notes.Note';
const LOCK = (vault: string) => `offline-vault/sync/${vault}`;

declare global {
  interface Window {
    vaults: Record<string, import('../../src/store/index.js').Vault>;
    events: unknown[];
    run: Promise<unknown>;
  }
}

/** Opens the harness on the host's origin and there the vault `name`, syncing with `token`. */
async function openPage(page: Page): Promise<Page> {
  return openHarness(page, host().origin);
}

async function openVault(page: Page, name: string, token: string): Promise<void> {
  await page.evaluate(
    async ({ spec, name, token, url }) => {
      window.vaults ??= {};
      window.events ??= [];
      const vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec), sync: { url, token } });
      vault.on('purged', (e) => window.events.push(e));
      window.vaults[name] = vault;
    },
    { spec: NOTES_SYNC_APP, name, token, url: host().syncUrl },
  );
}

function sync(page: Page, name: string) {
  return page.evaluate((name) => window.vaults[name]!.sync(), name);
}

function notes(page: Page, name: string) {
  return page.evaluate(async (name) => (await window.vaults[name]!.table('Notes.Note').toArray()).sort((a, b) => (a.id < b.id ? -1 : 1)), name);
}

/** What the server holds for a user: the objects a first download gives them. */
async function serverNotes(token: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${host().syncUrl}/v1/download`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 1, entities: { [NOTE]: { checkpoint: null } } }),
  });
  const body = (await response.json()) as { entities: Record<string, { upserts: { id: string; values: Record<string, unknown> }[] }> };
  return body.entities[NOTE]!.upserts.map((u) => ({ id: u.id, ...u.values }));
}

const sessionsOf = (token: string) => host().requests.filter((r) => r.path === '/v1/session' && r.token === token).length;

test('a note created in the browser reaches the server, and a server change reaches the browser', async ({ page }) => {
  await openPage(page);
  await openVault(page, 'round-trip', 't-ann');
  const id = await page.evaluate(() => window.vaults['round-trip']!.table('Notes.Note').put({ Text: 'from the browser', Owner: 'ann' }));

  expect(await sync(page, 'round-trip')).toMatchObject({ uploaded: 1, rejected: 0 });
  expect(await serverNotes('t-admin')).toContainEqual({ id, Text: 'from the browser', Owner: 'ann' });

  const serverId = crypto.randomUUID();
  expect(await host().upload('t-admin', [{ entity: NOTE, id: serverId, op: 'create', values: { Text: 'from the server', Owner: 'ann' } }])).toEqual([
    expect.objectContaining({ status: 'applied' }),
  ]);
  expect(await sync(page, 'round-trip')).toMatchObject({ uploaded: 0, downloaded: 1 });
  expect(await notes(page, 'round-trip')).toEqual(
    [
      { id, Text: 'from the browser', Owner: 'ann' },
      { id: serverId, Text: 'from the server', Owner: 'ann' },
    ].sort((a, b) => (a.id < b.id ? -1 : 1)),
  );
});

test('two pages of one origin calling sync() at the same time run one sync (Web Locks)', async ({ page, context }) => {
  const first = await openPage(page);
  const second = await openPage(await context.newPage());
  await openVault(first, 'two-tabs', 't-ann');
  await openVault(second, 'two-tabs', 't-ann');
  await sync(first, 'two-tabs');
  await first.evaluate(() => window.vaults['two-tabs']!.table('Notes.Note').put({ Text: 'made in tab 1', Owner: 'ann' }));
  const sessions = sessionsOf('t-ann');
  const uploads = host().requests.filter((r) => r.path === '/v1/upload').length;

  host().pause(); // the first sync holds the lock until the second call is surely waiting for it
  try {
    await first.evaluate(() => {
      window.run = window.vaults['two-tabs']!.sync();
    });
    await expect.poll(() => sessionsOf('t-ann')).toBe(sessions + 1);
    await second.evaluate(() => {
      window.run = window.vaults['two-tabs']!.sync();
    });
    await expect
      .poll(() => second.evaluate(async (name) => (await navigator.locks.query()).pending?.filter((l) => l.name === name).length, LOCK('two-tabs')))
      .toBe(1);
  } finally {
    host().resume();
  }
  const [r1, r2] = await Promise.all([first, second].map((p) => p.evaluate(() => window.run)));

  expect(r1).toMatchObject({ uploaded: 1 });
  expect(r2).toEqual(r1);
  expect(sessionsOf('t-ann')).toBe(sessions + 1);
  expect(host().requests.filter((r) => r.path === '/v1/upload').length).toBe(uploads + 1);
  expect(await notes(second, 'two-tabs')).toEqual(await notes(first, 'two-tabs'));
});

test('a sync authenticated as another user fails with UserMismatchError and changes nothing', async ({ page }) => {
  await openPage(page);
  await openVault(page, 'switch', 't-ann');
  await page.evaluate(() => window.vaults['switch']!.table('Notes.Note').put({ Text: 'synced', Owner: 'ann' }));
  await sync(page, 'switch');
  await page.evaluate(() => window.vaults['switch']!.table('Notes.Note').put({ Text: 'not yet synced', Owner: 'ann' }));
  const before = await notes(page, 'switch');
  await page.evaluate(() => window.vaults['switch']!.close());

  await openVault(page, 'switch', 't-bob');
  const outcome = await page.evaluate(async () => {
    const vault = window.vaults['switch']!;
    const error = await vault.sync().then(
      () => null,
      (e: unknown) => e,
    );
    return {
      mismatch: error instanceof window.ov.UserMismatchError,
      code: (error as { code?: string } | null)?.code,
      user: vault.user?.id,
      pending: await vault.pendingChanges(),
    };
  });

  expect(outcome).toEqual({ mismatch: true, code: 'user-mismatch', user: 'ann', pending: 1 });
  expect(await notes(page, 'switch')).toEqual(before);
  expect(host().requests.filter((r) => r.token === 't-bob').map((r) => r.path)).toEqual(['/v1/session']);
});

test('an object the user may no longer read is purged with a `purged` event', async ({ page }) => {
  const id = crypto.randomUUID();
  await host().upload('t-admin', [{ entity: NOTE, id, op: 'create', values: { Text: 'shared for a while', Owner: 'ann' } }]);
  await openPage(page);
  await openVault(page, 'purge', 't-ann');
  await sync(page, 'purge');
  expect(await notes(page, 'purge')).toContainEqual({ id, Text: 'shared for a while', Owner: 'ann' });

  await host().upload('t-admin', [{ entity: NOTE, id, op: 'update', values: { Owner: 'bob' } }]);
  const result = await sync(page, 'purge');

  expect(result).toMatchObject({ purged: 1 });
  expect(await page.evaluate(() => window.events)).toEqual([{ entity: NOTE, ids: [id], reason: 'access-lost' }]);
  expect(await notes(page, 'purge')).not.toContainEqual(expect.objectContaining({ id }));
});
