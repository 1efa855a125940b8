import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { syncBackends } from './backends.js';
import { openSyncedVault, serverWrite, snapshot, startTestServer, type TestServer } from './sync-fixture.js';

const backends = await syncBackends();
const RUNS = { sqlite: 250, postgres: 60 } as const;

const CUSTOMERS = ['c0', 'c1', 'c2'];
const MANAGERS = ['alice', 'bob'];
const STATUSES = ['Open', 'Paid', 'Closed'];

type Op =
  | { k: 'srvOrder'; id: number; customer: number; status: number; number: number }
  | { k: 'srvUpdate'; id: number; status: number; customer: number }
  | { k: 'srvDelete'; id: number }
  | { k: 'srvManager'; customer: number; manager: number }
  | { k: 'srvPromo'; id: number; days: number }
  | { k: 'role'; roles: readonly string[] }
  | { k: 'clock'; days: number }
  | { k: 'devCreate'; customer: number; number: number }
  | { k: 'devUpdate'; pick: number; number: number; status: number }
  | { k: 'devDelete'; pick: number }
  | { k: 'sync' }
  | { k: 'syncAbort'; after: number }
  | { k: 'syncOne'; pick: number }
  | { k: 'syncWhileWriting'; pick: number; number: number };

const small = fc.nat({ max: 5 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('srvOrder' as const), id: small, customer: fc.nat({ max: 2 }), status: fc.nat({ max: 2 }), number: fc.nat({ max: 99 }) }),
  fc.record({ k: fc.constant('srvUpdate' as const), id: small, status: fc.nat({ max: 2 }), customer: fc.nat({ max: 2 }) }),
  fc.record({ k: fc.constant('srvDelete' as const), id: small }),
  fc.record({ k: fc.constant('srvManager' as const), customer: fc.nat({ max: 2 }), manager: fc.nat({ max: 1 }) }),
  fc.record({ k: fc.constant('srvPromo' as const), id: fc.nat({ max: 2 }), days: fc.integer({ min: -2, max: 3 }) }),
  fc.record({ k: fc.constant('role' as const), roles: fc.constantFrom(['Sales'], [], ['Manager']) }),
  fc.record({ k: fc.constant('clock' as const), days: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ k: fc.constant('devCreate' as const), customer: fc.nat({ max: 2 }), number: fc.nat({ max: 99 }) }),
  fc.record({ k: fc.constant('devUpdate' as const), pick: fc.nat(), number: fc.nat({ max: 99 }), status: fc.nat({ max: 2 }) }),
  fc.record({ k: fc.constant('devDelete' as const), pick: fc.nat() }),
  fc.constant({ k: 'sync' as const }),
  fc.record({ k: fc.constant('syncAbort' as const), after: fc.nat({ max: 4 }) }),
  fc.record({ k: fc.constant('syncOne' as const), pick: fc.nat() }),
  fc.record({ k: fc.constant('syncWhileWriting' as const), pick: fc.nat(), number: fc.nat({ max: 99 }) }),
);

/** Server-side write as the Manager that may legitimately fail (e.g. update of a deleted order): ignored. */
async function tryServer(server: TestServer, ...changes: Parameters<typeof serverWrite> extends [unknown, ...infer R] ? R : never): Promise<void> {
  await serverWrite(server, ...changes).catch(() => undefined);
}

async function pickOrder(vault: Vault, pick: number): Promise<string | undefined> {
  const ids = (await vault.table('Sales.Order').toArray()).map((o) => o.id).sort();
  return ids.length === 0 ? undefined : ids[pick % ids.length];
}

async function run(server: TestServer, vault: Vault, o: Op): Promise<void> {
  const day = 86_400_000;
  switch (o.k) {
    case 'srvOrder':
      return tryServer(server, ['create', 'Sales.Order', `o${o.id}`, { Number: o.number, Status: STATUSES[o.status], Note: 'n', 'Sales.Order_Customer': CUSTOMERS[o.customer] }]);
    case 'srvUpdate':
      return tryServer(server, ['update', 'Sales.Order', `o${o.id}`, { Status: STATUSES[o.status], 'Sales.Order_Customer': CUSTOMERS[o.customer] }]);
    case 'srvDelete':
      return tryServer(server, ['delete', 'Sales.Order', `o${o.id}`]);
    case 'srvManager':
      return tryServer(server, ['update', 'Sales.Customer', CUSTOMERS[o.customer]!, { AccountManager: MANAGERS[o.manager] }]);
    case 'srvPromo': {
      const until = new Date(server.clock.now.getTime() + o.days * day).toISOString();
      await tryServer(server, ['create', 'Sales.Promo', `p${o.id}`, { Title: 'x', ValidUntil: until }]);
      return tryServer(server, ['update', 'Sales.Promo', `p${o.id}`, { ValidUntil: until }]);
    }
    case 'role':
      server.users.set('t-alice', { id: 'alice', roles: [...o.roles] });
      return;
    case 'clock':
      server.clock.now = new Date(server.clock.now.getTime() + o.days * day);
      return;
    case 'devCreate':
      await vault.table('Sales.Order').put({ Number: o.number, Status: 'Open', 'Sales.Order_Customer': CUSTOMERS[o.customer] });
      return;
    case 'devUpdate': {
      const id = await pickOrder(vault, o.pick);
      if (id !== undefined) await vault.table('Sales.Order').update(id, { Number: o.number, Status: STATUSES[o.status] });
      return;
    }
    case 'devDelete': {
      const id = await pickOrder(vault, o.pick);
      if (id !== undefined) await vault.table('Sales.Order').delete(id);
      return;
    }
    case 'sync':
      await vault.sync().catch(() => undefined); // e.g. nothing readable: still must not throw, but never fail the run here
      return;
    case 'syncAbort': {
      const controller = new AbortController();
      let seen = 0;
      server.intercept = async (request, next) => {
        if (seen++ === o.after) controller.abort(); // the server still handles this request: its answer is lost
        return next(request);
      };
      await vault.sync({ signal: controller.signal }).catch(() => undefined);
      server.intercept = undefined;
      return;
    }
    case 'syncWhileWriting': {
      // The app writes while the download runs: the write must survive and upload later.
      server.intercept = async (request, next) => {
        if (request.url.endsWith('/v1/download')) {
          server.intercept = undefined;
          const id = await pickOrder(vault, o.pick);
          if (id !== undefined) await vault.table('Sales.Order').update(id, { Number: o.number });
          else await vault.table('Sales.Order').put({ Number: o.number, Status: 'Open', 'Sales.Order_Customer': 'c0' });
        }
        return next(request);
      };
      await vault.sync().catch(() => undefined);
      server.intercept = undefined;
      return;
    }
    case 'syncOne': {
      const id = await pickOrder(vault, o.pick);
      await vault.sync({ objects: [{ entity: 'Sales.Order', id: id ?? `o${o.pick % 6}` }] }).catch(() => undefined);
      return;
    }
  }
}

describe.each(backends)('convergence (%s)', (backend) => {
  it('after a final sync the device equals a fresh device full sync, whatever happened before', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const server = await startTestServer({ backend });
        try {
          await serverWrite(
            server,
            ...CUSTOMERS.map((id, i) => ['create', 'Sales.Customer', id, { Name: id, AccountManager: MANAGERS[i % 2] }] as [string, string, string, Record<string, unknown>]),
          );
          // A client that does not check rights locally, so forged writes reach the server's checks.
          const { vault } = await openSyncedVault(server, 't-alice', { encrypted: false, checkAccess: false });
          for (const o of ops) await run(server, vault, o);
          const final = await vault.sync();
          expect(final.violations).toBe(0);
          expect(await vault.outbox()).toEqual([]);
          const { vault: fresh } = await openSyncedVault(server, 't-alice', { encrypted: false });
          await fresh.sync();
          expect(await snapshot(vault)).toEqual(await snapshot(fresh));
          vault.close();
          fresh.close();
        } finally {
          await server.close();
        }
      }),
      { numRuns: RUNS[backend] },
    );
  }, 120_000);
});
