import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncBackends } from './backends.js';
import { openSyncedVault, serverWrite, snapshot, startTestServer, type TestServer } from './sync-fixture.js';

// The scenarios that depend most on the storage engine, on every reachable backend.
const backends = await syncBackends();

describe.each(backends)('sync against %s', (backend) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ backend });
    await serverWrite(
      server,
      ['create', 'Sales.Customer', 'c1', { Name: 'Acme', AccountManager: 'alice' }],
      ['create', 'Sales.Order', 'o1', { Number: 1, Status: 'Open', TotalPrice: '3.25', 'Sales.Order_Customer': 'c1' }],
    );
  });
  afterEach(() => server.close());

  it('round-trips a device change and purges on access loss without uploading deletes', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    const id = await vault.table('Sales.Order').put({ Number: 2, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    expect(await vault.sync()).toMatchObject({ uploaded: 1, rejected: 0 });
    const { vault: fresh } = await openSyncedVault(server, 't-alice');
    await fresh.sync();
    expect(await snapshot(fresh)).toEqual(await snapshot(vault));
    expect(await fresh.table('Sales.Order').get(id)).toMatchObject({ Number: 2 });

    await serverWrite(server, ['update', 'Sales.Customer', 'c1', { AccountManager: 'bob' }]);
    const purged: unknown[] = [];
    vault.on('purged', (e) => purged.push(e));
    expect((await vault.sync()).purged).toBe(3);
    expect(purged).toHaveLength(2);
    const { vault: bob } = await openSyncedVault(server, 't-bob');
    await bob.sync();
    expect(await bob.table('Sales.Order').count()).toBe(2);
  });

  it('applies a retried upload once after a lost response', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.table('Sales.Order').put({ Number: 4, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    let lost = false;
    server.intercept = async (request, next) => {
      const response = await next(request);
      if (!request.url.endsWith('/v1/upload') || lost) return response;
      lost = true;
      throw new Error('connection lost');
    };
    expect(await vault.sync()).toMatchObject({ uploaded: 1, rejected: 0 });
    expect(lost).toBe(true);
    expect(await vault.table('Sales.Order').count()).toBe(2);
  });
});
