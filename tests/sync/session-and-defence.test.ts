import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OfflineError, SyncError, UnsyncedChangesError, UserMismatchError } from '../../src/core/errors.js';
import type { ProtocolViolationEvent } from '../../src/sync/index.js';
import { openSyncedVault, snapshot, startAliceServer, type TestServer } from './sync-fixture.js';

let server: TestServer;
beforeEach(async () => {
  server = await startAliceServer({ Note: 'secret' });
});
afterEach(() => server.close());

/** Rewrites every download response with `edit` (a compromised server or proxy). */
function tamperDownloads(edit: (body: any) => void): void {
  server.intercept = async (request, next) => {
    const response = await next(request);
    if (!request.url.endsWith('/v1/download')) return response;
    const body = await response.json();
    edit(body);
    return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
  };
}

describe('defence in depth', () => {
  it('drops a forbidden member in an altered response and reports it', async () => {
    tamperDownloads((body) => {
      for (const u of body.entities?.['Sales.Order']?.upserts ?? []) u.values.Note = 'leaked';
    });
    const { vault } = await openSyncedVault(server, 't-alice');
    const violations: ProtocolViolationEvent[] = [];
    vault.on('protocol-violation', (v) => violations.push(v));
    const result = await vault.sync();
    expect(result.violations).toBe(1);
    expect(violations).toEqual([{ entity: 'Sales.Order', id: 'o1', member: 'Note', kind: 'unreadable-member' }]);
    expect(await vault.table('Sales.Order').get('o1')).not.toHaveProperty('Note');
    expect(await vault.table('Sales.Order').get('o1')).toMatchObject({ Number: 1 });
  });

  it('drops objects of an entity the profile never downloads', async () => {
    tamperDownloads((body) => {
      const feedback = body.entities?.['Sales.Feedback'];
      if (feedback !== undefined) feedback.upserts = [{ id: 'f1', version: 'x', values: { Text: 'injected' } }];
    });
    const { vault } = await openSyncedVault(server, 't-alice');
    const result = await vault.sync();
    expect(result.violations).toBe(1);
    expect(await vault.table('Sales.Feedback').count()).toBe(0);
  });
});

describe('sessions and concurrency', () => {
  it('joins a second sync() call to the running one', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    const before = server.responses.filter((r) => r.path.endsWith('/v1/session')).length;
    const first = vault.sync();
    const second = vault.sync();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    expect(server.responses.filter((r) => r.path.endsWith('/v1/session')).length - before).toBe(1);
  });

  it('runs one sync when two tabs of one vault call sync() at the same time, and both end equal', async () => {
    const { vault: tab1, indexedDB } = await openSyncedVault(server, 't-alice');
    const { vault: tab2 } = await openSyncedVault(server, 't-alice', { indexedDB });
    await tab1.table('Sales.Order').put({ id: 'n1', Number: 5, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    const sessions = server.responses.filter((r) => r.path.endsWith('/v1/session')).length;
    const [r1, r2] = await Promise.all([tab1.sync(), tab2.sync()]);
    expect(server.responses.filter((r) => r.path.endsWith('/v1/session')).length - sessions).toBe(1);
    expect(r1.uploaded).toBe(1);
    expect(r2).toEqual(r1);
    expect(await snapshot(tab1)).toEqual(await snapshot(tab2));
    expect(await tab1.table('Sales.Order').count()).toBe(2);
  });

  it('lets a waiting tab run its own sync when the sync it waited for fails', async () => {
    const { vault: tab1, indexedDB } = await openSyncedVault(server, 't-alice');
    const { vault: tab2 } = await openSyncedVault(server, 't-alice', { indexedDB });
    await tab1.table('Sales.Order').put({ id: 'n2', Number: 6, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    const controller = new AbortController();
    const failing = tab1.sync({ signal: controller.signal });
    const waiting = tab2.sync();
    controller.abort();
    await expect(failing).rejects.toThrow();
    expect(await waiting).toMatchObject({ uploaded: 1 });
    expect(await tab1.pendingChanges()).toBe(0);
  });

  it('refuses a sync as another user and changes nothing', async () => {
    const { vault, indexedDB } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    await vault.table('Sales.Order').update('o1', { Number: 2 });
    const before = await snapshot(vault);
    vault.close();
    const { vault: asBob } = await openSyncedVault(server, 't-bob', { indexedDB });
    const error = await asBob.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserMismatchError);
    expect(asBob.user?.id).toBe('alice');
    expect(await snapshot(asBob)).toEqual(before);
    expect(await asBob.pendingChanges()).toBe(1);
  });

  it('signs out only without unsynced changes unless told to discard them', async () => {
    const { vault, indexedDB } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    await vault.table('Sales.Order').update('o1', { Number: 3 });
    await expect(vault.signOut()).rejects.toBeInstanceOf(UnsyncedChangesError);
    const discarded = await vault.signOut({ discardUnsynced: true });
    expect(discarded).toEqual([{ entity: 'Sales.Order', id: 'o1', op: 'update', members: ['Number'], content: expect.objectContaining({ id: 'o1', Number: 3 }) }]);
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain('offline-vault/sales');
    const { vault: bob } = await openSyncedVault(server, 't-bob', { indexedDB });
    expect(bob.user).toBeNull();
    expect(await bob.table('Sales.Order').count()).toBe(0);
  });

  it('calls a server action online and fails at once with OfflineError offline', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    expect(await vault.call('echo', { a: 1 })).toEqual({ echoed: { a: 1 } });
    let calls = 0;
    const { vault: offline } = await openSyncedVault(server, 't-alice', {
      sync: {
        fetch: async () => {
          calls++;
          throw new TypeError('fetch failed');
        },
      },
    });
    await expect(offline.call('echo', {})).rejects.toBeInstanceOf(OfflineError);
    expect(calls).toBe(1);
    const unknown = await vault.call('nope', {}).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(SyncError);
    expect((unknown as SyncError).code).toBe('unknown-action');
  });

  it('reports navigator.onLine === false as offline without a request', async () => {
    let calls = 0;
    const { vault } = await openSyncedVault(server, 't-alice', { sync: { fetch: async () => (calls++, new Response('{}')) } });
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { onLine: false }, configurable: true });
    try {
      await expect(vault.call('echo', {})).rejects.toBeInstanceOf(OfflineError);
    } finally {
      if (nav === undefined) delete (globalThis as { navigator?: unknown }).navigator;
      else Object.defineProperty(globalThis, 'navigator', nav);
    }
    expect(calls).toBe(0);
  });

  it('stops at the next safe point when aborted and completes on the next sync', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    const controller = new AbortController();
    server.intercept = async (request, next) => {
      if (request.url.endsWith('/v1/download')) controller.abort();
      return next(request);
    };
    const error = await vault.sync({ signal: controller.signal }).catch((e: unknown) => e);
    expect((error as SyncError).code).toBe('aborted');
    server.intercept = undefined;
    await vault.sync();
    expect(await vault.table('Sales.Order').get('o1')).toBeDefined();
  });
});
