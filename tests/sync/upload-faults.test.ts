import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncError } from '../../src/core/errors.js';
import { openSyncedVault, startAliceServer, type TestServer } from './sync-fixture.js';

let server: TestServer;
beforeEach(async () => {
  server = await startAliceServer({ TotalPrice: '5' });
});
afterEach(() => server.close());

const uploads = () => server.responses.filter((r) => r.path.endsWith('/v1/upload'));

describe('upload faults', () => {
  it('refuses locally, with AccessDeniedError, a write of a member no rule lets the user write', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    await expect(vault.table('Sales.Order').update('o1', { TotalPrice: '999' })).rejects.toMatchObject({
      name: 'AccessDeniedError',
      code: 'write-denied',
      details: { entity: 'Sales.Order', member: 'TotalPrice' },
    });
    expect(await vault.outbox()).toEqual([]);
  });

  it('moves a forged change to syncErrors with its content and restores the server copy', async () => {
    // A modified client that skips the local check: the server is the authority.
    const { vault } = await openSyncedVault(server, 't-alice', { checkAccess: false });
    await vault.sync();
    // TotalPrice is read-only for Sales: the device writes it anyway (a forged change).
    await vault.table('Sales.Order').update('o1', { TotalPrice: '999' });
    const result = await vault.sync();
    expect(result).toMatchObject({ uploaded: 0, rejected: 1 });
    const errors = await vault.syncErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ entity: 'Sales.Order', objectId: 'o1', op: 'update', content: { id: 'o1', TotalPrice: '999', Number: 1 } });
    expect(errors[0]!.reason.code).toBe('write-denied');
    expect((await vault.table('Sales.Order').get('o1'))?.['TotalPrice']).toBe('5');
    expect(await vault.outbox()).toEqual([]);
    expect(await vault.clearSyncError(errors[0]!.id)).toBe(true);
    expect(await vault.syncErrors()).toEqual([]);
  });

  it('removes a create with a dangling reference from the device (Mendix) and keeps it in syncErrors', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    const id = await vault.table('Sales.Order').put({ Number: 5, Status: 'Open', 'Sales.Order_Customer': 'missing-customer' });
    const result = await vault.sync();
    expect(result.rejected).toBe(1);
    expect(await vault.table('Sales.Order').get(id)).toBeUndefined();
    const [error] = await vault.syncErrors();
    expect(error).toMatchObject({ objectId: id, op: 'create', content: { Number: 5, 'Sales.Order_Customer': 'missing-customer' } });
    expect(error!.reason.code).toBe('dangling-reference'); // Mendix: a reference to an object the server does not have
  });

  it('re-sends the same mutation ids after a lost response, so nothing is applied twice', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.sync();
    const id = await vault.table('Sales.Order').put({ Number: 9, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    const sent: string[] = [];
    let dropped = false;
    server.intercept = async (request, next) => {
      if (!request.url.endsWith('/v1/upload')) return next(request);
      sent.push(await request.clone().text());
      const response = await next(request); // the server applies the change...
      if (dropped) return response;
      dropped = true;
      throw new Error('connection lost'); // ...and the client never sees the answer
    };
    const result = await vault.sync();
    expect(result).toMatchObject({ uploaded: 1, rejected: 0 });
    expect(sent).toHaveLength(2);
    const ids = sent.map((body) => JSON.parse(body).changes.map((c: { mutationId: string }) => c.mutationId));
    expect(ids[1]).toEqual(ids[0]);
    expect(await vault.syncErrors()).toEqual([]);
    expect((await vault.table('Sales.Order').get(id))?.['Number']).toBe(9);
  });

  it('resumes a stored upload after the sync failed, with the same mutation ids', async () => {
    const { vault } = await openSyncedVault(server, 't-alice', { sync: { retry: { attempts: 1, baseDelayMs: 1 } } });
    const id = await vault.table('Sales.Order').put({ Number: 10, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    const sent: string[] = [];
    server.intercept = async (request, next) => {
      if (!request.url.endsWith('/v1/upload')) return next(request);
      sent.push(await request.clone().text());
      await next(request);
      return new Response('{"error":{"code":"unavailable","message":"down"}}', { status: 503 });
    };
    await expect(vault.sync()).rejects.toBeInstanceOf(SyncError);
    server.intercept = async (request, next) => {
      if (request.url.endsWith('/v1/upload')) sent.push(await request.clone().text());
      return next(request);
    };
    expect(await vault.sync()).toMatchObject({ rejected: 0 });
    expect(JSON.parse(sent[1]!).changes).toEqual(JSON.parse(sent[0]!).changes);
    expect(await vault.table('Sales.Order').get(id)).toBeDefined();
  });

  it('retries 503 answers with backoff and then succeeds', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.table('Sales.Order').put({ Number: 11, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    let failures = 0;
    const before = uploads().length;
    server.intercept = async (request, next) => {
      if (request.url.endsWith('/v1/upload') && failures < 2) {
        failures++;
        return new Response('{"error":{"code":"unavailable","message":"busy"}}', { status: 503 });
      }
      return next(request);
    };
    expect(await vault.sync()).toMatchObject({ uploaded: 1 });
    expect(failures).toBe(2);
    const seen = uploads().slice(before);
    expect(seen.map((u) => u.body.includes('"applied"'))).toEqual([false, false, true]);
  });

  it('rejects with SyncError after the last retry and keeps the outbox', async () => {
    const { vault } = await openSyncedVault(server, 't-alice');
    await vault.table('Sales.Order').put({ Number: 12, Status: 'Open', 'Sales.Order_Customer': 'c1' });
    server.intercept = async () => new Response('{"error":{"code":"unavailable","message":"down"}}', { status: 503 });
    const error = await vault.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe('unavailable');
    expect(await vault.pendingChanges()).toBe(1);
  });
});
