import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSyncedVault, serverWrite, snapshot, startTestServer, type TestServer } from './sync-fixture.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
  await serverWrite(server, ['create', 'Sales.Customer', 'c1', { Name: 'Acme', City: 'Delft', AccountManager: 'alice' }]);
});
afterEach(() => server.close());

describe('sync round trip', () => {
  it('uploads device creates, updates and deletes and another device of the user receives them', async () => {
    const { vault: a } = await openSyncedVault(server, 't-alice');
    const { vault: b } = await openSyncedVault(server, 't-alice');
    await a.sync();
    const id = await a.table('Sales.Order').put({ Number: 1, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    await a.table('Sales.Order').update(id, { Status: 'Paid' });
    const first = await a.sync();
    expect(first).toMatchObject({ uploaded: 1, rejected: 0 });
    expect(await a.outbox()).toEqual([]);
    await b.sync();
    expect(await b.table('Sales.Order').get(id)).toMatchObject({ id, Number: 1, Status: 'Paid', 'Sales.Order_Customer': 'c1' });

    await b.table('Sales.Order').update(id, { Number: 2 });
    await b.sync();
    await a.sync();
    expect((await a.table('Sales.Order').get(id))?.['Number']).toBe(2);

    await a.table('Sales.Order').delete(id);
    expect(await a.sync()).toMatchObject({ uploaded: 1, rejected: 0 });
    const purged: unknown[] = [];
    b.on('purged', (e) => purged.push(e));
    await b.sync();
    expect(await b.table('Sales.Order').get(id)).toBeUndefined();
    expect(purged).toEqual([{ entity: 'Sales.Order', ids: [id], reason: 'deleted' }]);
  });

  it('applies server creates, updates and deletes on the device without recording outbox entries', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await serverWrite(server, ['create', 'Sales.Order', 'o1', { Number: 7, Status: 'Open', TotalPrice: '10.50', Note: 'secret', 'Sales.Order_Customer': 'c1' }]);
    const result = await vault.sync();
    expect(result.downloaded).toBe(2);
    expect(vault.user).toEqual({ id: 'alice', roles: ['Sales'] });
    const o1 = await vault.table('Sales.Order').get('o1');
    expect(o1).toMatchObject({ Number: 7, TotalPrice: '10.5' });
    expect(o1).not.toHaveProperty('Note'); // unreadable members are absent (DESIGN §2)
    await serverWrite(server, ['update', 'Sales.Order', 'o1', { TotalPrice: '12' }]);
    await vault.sync();
    expect((await vault.table('Sales.Order').get('o1'))?.['TotalPrice']).toBe('12');
    await serverWrite(server, ['delete', 'Sales.Order', 'o1']);
    const last = await vault.sync();
    expect(last.purged).toBe(1);
    expect(await vault.table('Sales.Order').get('o1')).toBeUndefined();
    expect(await vault.outbox()).toEqual([]);
  });

  it('never sends a member the user may not read (every response body captured)', async () => {
    await serverWrite(server, ['create', 'Sales.Order', 'o2', { Number: 8, Status: 'Open', Note: 'classified-note', 'Sales.Order_Customer': 'c1' }]);
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    await vault.sync({ objects: [{ entity: 'Sales.Order', id: 'o2' }] });
    const bodies = server.responses.filter((r) => r.path.endsWith('/v1/download'));
    expect(bodies.length).toBeGreaterThan(0);
    for (const r of bodies) expect(r.body).not.toContain('classified-note');
    expect(bodies.some((r) => r.body.includes('o2'))).toBe(true);
  });

  it('leaves a device in the same state as a fresh full sync after incremental syncs', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    await serverWrite(
      server,
      ['create', 'Sales.Order', 'o3', { Number: 3, Status: 'Open', 'Sales.Order_Customer': 'c1' }],
      ['create', 'Sales.Customer', 'c2', { Name: 'Other', AccountManager: 'bob' }],
    );
    await vault.sync();
    const { vault: fresh } = await openSyncedVault(server, 't-alice');
    await fresh.sync();
    expect(await snapshot(vault)).toEqual(await snapshot(fresh));
  });
});

describe('local changes during a sync', () => {
  it('keeps a member the app changed during the download and takes the server value of the others', async () => {
    await serverWrite(server, ['create', 'Sales.Order', 'o9', { Number: 1, Status: 'Open', 'Sales.Order_Customer': 'c1' }]);
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    await serverWrite(server, ['update', 'Sales.Order', 'o9', { Number: 50, Status: 'Paid' }]);
    server.intercept = async (request, next) => {
      if (request.url.endsWith('/v1/download')) {
        server.intercept = undefined;
        await vault.table('Sales.Order').update('o9', { Number: 7 });
      }
      return next(request);
    };
    await vault.sync();
    expect(await vault.table('Sales.Order').get('o9')).toMatchObject({ Number: 7, Status: 'Paid' });
    expect((await vault.outbox()).map((c) => [c.id, c.members])).toEqual([['o9', ['Number']]]);
    await vault.sync();
    const { vault: other } = await openSyncedVault(server, 't-alice');
    await other.sync();
    expect(await other.table('Sales.Order').get('o9')).toMatchObject({ Number: 7, Status: 'Paid' });
  });
});

describe('progress and events', () => {
  it('reports upload, download and apply progress to onProgress and to sync-progress listeners, then sync-complete', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.table('Sales.Order').put({ Number: 1, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    const direct: string[] = [];
    const heard: string[] = [];
    const completed: unknown[] = [];
    const off = vault.on('sync-progress', (p) => heard.push(p.phase));
    vault.on('sync-complete', (r) => completed.push(r));
    const result = await vault.sync({ onProgress: (p) => direct.push(`${p.phase}:${p.entity ?? ''}:${p.done}/${p.total}`) });
    expect(direct).toContain('upload::1/1');
    expect(direct).toContain('apply:Sales.Customer:1/1');
    expect(direct.at(-1)).toMatch(/^download::(\d+)\/\1$/);
    expect(heard).toEqual(direct.map((d) => d.split(':')[0]));
    expect(completed).toEqual([result]);
    off();
    await vault.sync();
    expect(heard).toHaveLength(direct.length);
  });

  it('fails with not-configured when the vault has no sync configuration', async () => {
    const { openVault } = await import('../../src/store/index.js');
    const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb');
    const { syncApp } = await import('./sync-fixture.js');
    const vault = await openVault({ name: 'x', app: syncApp, indexedDB: new IDBFactory(), IDBKeyRange, requestPersistence: false });
    await expect(vault.sync()).rejects.toMatchObject({ name: 'SyncError', code: 'not-configured' });
    expect(vault.user).toBeNull();
  });
});
