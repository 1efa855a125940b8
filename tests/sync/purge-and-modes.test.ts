import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PurgedEvent } from '../../src/sync/index.js';
import { openSyncedVault, serverWrite, startAliceServer, type TestServer } from './sync-fixture.js';

let server: TestServer;
beforeEach(async () => {
  server = await startAliceServer(
    {},
    ['create', 'Sales.Order', 'o2', { Number: 2, Status: 'Open', 'Sales.Order_Customer': 'c1' }],
    ['create', 'Sales.Promo', 'p1', { Title: 'Spring', ValidUntil: '2030-01-02T00:00:00.000Z' }],
    ['create', 'Sales.Archive', 'a1', { Text: 'old' }],
    ['create', 'Sales.Kept', 'k1', { Text: 'server' }],
  );
});
afterEach(() => server.close());

async function syncedAlice() {
  const { vault } = await openSyncedVault(server, 't-alice');
  const events: PurgedEvent[] = [];
  vault.on('purged', (e) => events.push({ ...e, ids: [...e.ids].sort() }));
  await vault.sync();
  return { vault, events };
}

const uploadBodies = () => server.responses.filter((r) => r.path.endsWith('/v1/upload')).map((r) => r.body);

describe('purge on loss of access', () => {
  it('purges objects whose rule XPath stops matching through an association change, uploading no delete', async () => {
    const { vault, events } = await syncedAlice();
    expect(await vault.table('Sales.Order').count()).toBe(2);
    await serverWrite(server, ['update', 'Sales.Customer', 'c1', { AccountManager: 'bob' }]);
    const uploadsBefore = uploadBodies().length;
    const result = await vault.sync();
    expect(result.purged).toBe(3);
    expect(await vault.table('Sales.Order').count()).toBe(0);
    expect(await vault.table('Sales.Customer').count()).toBe(0);
    expect(events).toEqual([
      { entity: 'Sales.Customer', ids: ['c1'], reason: 'access-lost' },
      { entity: 'Sales.Order', ids: ['o1', 'o2'], reason: 'access-lost' },
    ]);
    expect(uploadBodies().length).toBe(uploadsBefore);
    const { vault: bob } = await openSyncedVault(server, 't-bob');
    await bob.sync();
    expect(await bob.table('Sales.Order').count()).toBe(2);
  });

  it('clears an entity when the user loses the role that could read it', async () => {
    const { vault, events } = await syncedAlice();
    server.users.set('t-alice', { id: 'alice', roles: [] });
    await vault.sync();
    expect(vault.user).toEqual({ id: 'alice', roles: [] });
    expect(await vault.table('Sales.Order').count()).toBe(0);
    expect(events).toContainEqual({ entity: 'Sales.Order', ids: ['o1', 'o2'], reason: 'access-lost' });
  });

  it('purges with reason filter when an object leaves the sync profile XPath', async () => {
    const { vault, events } = await syncedAlice();
    await serverWrite(server, ['update', 'Sales.Order', 'o1', { Status: 'Closed' }]);
    await vault.sync();
    expect(await vault.table('Sales.Order').get('o1')).toBeUndefined();
    expect(events).toEqual([{ entity: 'Sales.Order', ids: ['o1'], reason: 'filter' }]);
  });

  it('purges an object a time token no longer admits once the clock moves', async () => {
    const { vault, events } = await syncedAlice();
    expect(await vault.table('Sales.Promo').get('p1')).toBeDefined();
    server.clock.now = new Date('2030-01-03T00:00:00.000Z');
    await vault.sync();
    expect(await vault.table('Sales.Promo').get('p1')).toBeUndefined();
    expect(events).toEqual([{ entity: 'Sales.Promo', ids: ['p1'], reason: 'access-lost' }]);
  });

  it('keeps an object with a local change made after the upload until its own upload decides', async () => {
    const { vault } = await syncedAlice();
    await serverWrite(server, ['update', 'Sales.Customer', 'c1', { AccountManager: 'bob' }]);
    server.intercept = async (request, next) => {
      if (request.url.endsWith('/v1/download')) await vault.table('Sales.Order').update('o1', { Number: 100 });
      return next(request);
    };
    await vault.sync();
    server.intercept = undefined;
    expect((await vault.table('Sales.Order').get('o1'))?.['Number']).toBe(100);
    const next = await vault.sync();
    expect(next.rejected).toBe(1);
    expect(await vault.table('Sales.Order').get('o1')).toBeUndefined();
    expect((await vault.syncErrors())[0]).toMatchObject({ objectId: 'o1', reason: { code: 'not-found' } });
  });
});

describe('sync modes', () => {
  it('uploads nothing-clear objects and then clears them locally', async () => {
    const { vault, events } = await syncedAlice();
    const id = await vault.table('Sales.Feedback').put({ Text: 'great app' });
    const result = await vault.sync();
    expect(result.uploaded).toBe(1);
    expect(await vault.table('Sales.Feedback').get(id)).toBeUndefined();
    expect(events).toContainEqual({ entity: 'Sales.Feedback', ids: [id], reason: 'cleared' });
  });

  it('neither downloads nor uploads never-mode objects in a full sync, only through selective sync', async () => {
    const { vault } = await syncedAlice();
    expect(await vault.table('Sales.Archive').count()).toBe(0);
    await vault.sync({ objects: [{ entity: 'Sales.Archive', id: 'a1' }] });
    expect(await vault.table('Sales.Archive').get('a1')).toMatchObject({ Text: 'old' });
    await vault.table('Sales.Archive').update('a1', { Text: 'edited' });
    expect((await vault.sync()).uploaded).toBe(0);
    expect(await vault.pendingChanges()).toBe(1);
    expect(await vault.table('Sales.Archive').get('a1')).toMatchObject({ Text: 'edited' });
    expect((await vault.sync({ objects: [{ entity: 'Sales.Archive', id: 'a1' }] })).uploaded).toBe(1);
    expect(await vault.pendingChanges()).toBe(0);
  });

  it('keeps nothing-preserve data and downloads none of it', async () => {
    const { vault } = await syncedAlice();
    expect(await vault.table('Sales.Kept').get('k1')).toBeUndefined();
    const id = await vault.table('Sales.Kept').put({ Text: 'local' });
    await vault.sync();
    await vault.sync();
    expect(await vault.table('Sales.Kept').get(id)).toMatchObject({ Text: 'local' });
    expect(await vault.table('Sales.Kept').count()).toBe(1);
  });

  it('selective sync uploads and refreshes only the listed objects', async () => {
    const { vault } = await syncedAlice();
    await vault.table('Sales.Order').update('o1', { Number: 11 });
    await vault.table('Sales.Order').update('o2', { Number: 22 });
    await serverWrite(server, ['update', 'Sales.Customer', 'c1', { Name: 'Renamed' }]);
    const result = await vault.sync({ objects: [{ entity: 'Sales.Order', id: 'o1' }] });
    expect(result.uploaded).toBe(1);
    expect(result.downloaded).toBe(1);
    expect((await vault.outbox()).map((c) => c.id)).toEqual(['o2']);
    expect((await vault.table('Sales.Customer').get('c1'))?.['Name']).toBe('Acme');
    await vault.sync();
    expect((await vault.table('Sales.Customer').get('c1'))?.['Name']).toBe('Renamed');
  });

  it('selective sync acknowledges its object inside a bulk outbox entry and keeps the others pending', async () => {
    const { vault } = await syncedAlice();
    const [a, b] = await vault.table('Sales.Order').bulkPut([
      { Number: 31, Status: 'Open', 'Sales.Order_Customer': 'c1' },
      { Number: 32, Status: 'Open', 'Sales.Order_Customer': 'c1' },
    ]);
    expect((await vault.sync({ objects: [{ entity: 'Sales.Order', id: a! }] })).uploaded).toBe(1);
    expect((await vault.outbox()).map((c) => [c.id, c.op])).toEqual([[b, 'create']]);
    expect((await vault.sync()).uploaded).toBe(1);
    expect(await vault.outbox()).toEqual([]);
    expect(await vault.table('Sales.Order').count()).toBe(4);
  });
});
