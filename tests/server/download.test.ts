import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defineApp, type AppSpec } from '../../src/app/index.js';
import { DEMO_CUSTOMER_IDS, demoApp } from '../../src/server/demo/index.js';
import { availableBackends, startFixture, type Fixture } from './helpers/sync-fixture.js';
import { TestDevice } from './helpers/test-device.js';

const backends = await availableBackends();
const ENTITIES = ['Sales.Customer', 'Sales.Order'];
const [annC1, annC2] = DEMO_CUSTOMER_IDS.ann;
const annO4 = '00000000-0000-4000-8000-000000000004'; // order of ann's customer c2
const annO1 = '00000000-0000-4000-8000-000000000001';

/** A device that syncs from scratch: what a converged device must equal. */
async function fresh(fx: Fixture, user: string) {
  const d = new TestDevice(fx, user, ENTITIES);
  await d.sync();
  return d.view();
}

describe.each(backends)('download over %s', (backend) => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture(backend);
  });
  afterEach(() => fx.close());

  test('a sales rep receives only their customers, without the credit limit, in every response body', async () => {
    const ann = new TestDevice(fx, 'ann', ENTITIES);
    fx.bodies.length = 0;
    await ann.sync();
    await fx.download('ann', { objects: [{ entity: 'Sales.Customer', id: DEMO_CUSTOMER_IDS.bob[0] }, { entity: 'Sales.Customer', id: annC1 }] });
    const text = fx.bodies.join('\n');
    for (const forbidden of ['CreditLimit', '30000.01', '12000', '50000', 'De Vries', 'Bakker', 'Smit Holding', 'Amsterdam', '15000']) {
      expect(text).not.toContain(forbidden);
    }
    expect(ann.view()['Sales.Customer']!.map((c) => c.values)).toEqual([
      { Name: 'Van Dijk Bouw', City: 'Rotterdam', AccountManager: 'ann' },
      { Name: 'Jansen & Zn', City: 'Utrecht', AccountManager: 'ann' },
    ]);
    // Sync profile: closed orders stay on the server.
    expect(ann.view()['Sales.Order']!.map((o) => o.values['Status'])).toEqual(['Open', 'Paid', 'Open']);
    const meg = await fresh(fx, 'meg');
    expect(meg['Sales.Customer']!.find((c) => c.id === annC1)!.values['CreditLimit']).toBe('30000.01');
  });

  test('a checkpoint brings only what changed; a deletion reaches only those who could see the object', async () => {
    const ann = new TestDevice(fx, 'ann', ENTITIES);
    const bob = new TestDevice(fx, 'bob', ENTITIES);
    await ann.sync();
    await bob.sync();
    const idle = await ann.sync();
    expect([idle.upserts, idle.removals, idle.requests]).toEqual([{ 'Sales.Customer': 0, 'Sales.Order': 0 }, [], 1]);
    await fx.upload('meg', [
      { mutationId: 'c1', entity: 'Sales.Customer', id: annC1, op: 'update', values: { City: 'Delft' } },
      { mutationId: 'c2', entity: 'Sales.Order', id: annO4, op: 'delete' },
    ]);
    fx.bodies.length = 0;
    const r = await ann.sync();
    expect(r.upserts).toEqual({ 'Sales.Customer': 1, 'Sales.Order': 0 });
    expect(r.removals).toEqual([{ entity: 'Sales.Order', id: annO4, reason: 'deleted' }]);
    await bob.sync();
    expect(fx.bodies.slice(-1)[0]).not.toContain(annO4);
    expect(ann.view()).toEqual(await fresh(fx, 'ann'));
  });

  test('objects that leave or enter the view without changing are found by the digest', async () => {
    const ann = new TestDevice(fx, 'ann', ENTITIES);
    const bob = new TestDevice(fx, 'bob', ENTITIES);
    await ann.sync();
    await bob.sync();
    // Moving customer c2 to bob moves its order o4 too, although o4 itself does not change.
    await fx.upload('meg', [{ mutationId: 'mv', entity: 'Sales.Customer', id: annC2, op: 'update', values: { AccountManager: 'bob' } }]);
    const a = await ann.sync();
    expect(a.removals.sort((x, y) => x.entity.localeCompare(y.entity))).toEqual([
      { entity: 'Sales.Customer', id: annC2, reason: 'access-lost' },
      { entity: 'Sales.Order', id: annO4, reason: 'access-lost' },
    ]);
    const b = await bob.sync();
    expect(b.upserts).toEqual({ 'Sales.Customer': 1, 'Sales.Order': 1 });
    expect(ann.view()).toEqual(await fresh(fx, 'ann'));
    expect(bob.view()).toEqual(await fresh(fx, 'bob'));
    // An object that stops matching the sync profile is removed with reason 'filter'.
    await fx.upload('meg', [{ mutationId: 'cl', entity: 'Sales.Order', id: annO1, op: 'update', values: { Status: 'Closed' } }]);
    expect((await ann.sync()).removals).toEqual([{ entity: 'Sales.Order', id: annO1, reason: 'filter' }]);
  });

  test('a role change and a rule change converge to what a fresh sync gives', async () => {
    const ann = new TestDevice(fx, 'ann', ENTITIES);
    await ann.sync();
    fx.roles.set('ann', ['Auditor']);
    await ann.sync();
    expect(ann.view()).toEqual(await fresh(fx, 'ann'));
    expect(ann.view()['Sales.Customer']!.length).toBe(5);
    fx.roles.set('ann', []);
    const lost = await ann.sync();
    expect(lost.cleared).toEqual([{ entity: 'Sales.Customer', reason: 'access-lost' }, { entity: 'Sales.Order', reason: 'access-lost' }]);
    fx.roles.set('ann', ['Sales']);
    await ann.sync();
    // Redeploy: sales reps may now read the credit limit. Nothing changed in the data.
    const spec = structuredClone(demoSpec());
    (spec.accessRules!['Sales.Customer']![0]!.members as Record<string, string>)['CreditLimit'] = 'read';
    await fx.redeploy(defineApp(spec));
    const r = await ann.sync();
    expect(r.upserts['Sales.Customer']).toBe(2);
    expect(ann.view()['Sales.Customer']![0]!.values['CreditLimit']).toBe('30000.01');
    expect(ann.view()).toEqual(await fresh(fx, 'ann'));
  });

  test('pages: a small page size needs more requests and yields the same data', async () => {
    const big = await fresh(fx, 'meg');
    await fx.close();
    fx = await startFixture(backend, { limits: { pageSize: 2 } });
    const meg = new TestDevice(fx, 'meg', ENTITIES);
    const r = await meg.sync();
    expect(r.requests).toBeGreaterThan(2);
    expect(meg.view()).toEqual(big);
  });

  test('an incremental sync among many objects moves only the changed ones', async () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      mutationId: `bulk-${i}`, entity: 'Sales.Order', id: `bulk-${String(i).padStart(4, '0')}`, op: 'create' as const,
      values: { Number: i, Status: 'Open', TotalPrice: i, 'Sales.Order_Customer': annC1 },
    }));
    await fx.upload('meg', many);
    const ann = new TestDevice(fx, 'ann', ENTITIES);
    await ann.sync();
    fx.bodies.length = 0;
    await fx.upload('meg', [0, 1].map((i) => ({ mutationId: `ch-${i}`, entity: 'Sales.Order', id: many[i * 100]!.id, op: 'update' as const, values: { TotalPrice: 1 } })));
    fx.bodies.length = 0;
    const r = await ann.sync();
    expect([r.upserts['Sales.Order'], r.requests]).toEqual([2, 1]);
    expect(fx.bodies.join('').length).toBeLessThan(3000);
    expect(ann.view()).toEqual(await fresh(fx, 'ann'));
  });
});

/** The demo app's spec, rebuilt from the definition's parts that the test changes. */
function demoSpec(): AppSpec {
  const rules: AppSpec['accessRules'] = {};
  for (const [entity, list] of demoApp.accessRules) {
    rules[entity] = list.map((r) => ({
      roles: [...r.roles], create: r.create, delete: r.delete, members: Object.fromEntries(r.members), ...(r.xpath === undefined ? {} : { xpath: r.xpath }),
    }));
  }
  const entities: AppSpec['entities'] = {};
  for (const [name, e] of demoApp.entities) {
    entities[name] = {
      attributes: Object.fromEntries([...e.attributes.values()].map((a) => [a.name, a.type === 'enum' ? { enum: [...a.values!] } : a.type])),
      persistent: e.persistent,
      ...(e.file === undefined ? {} : { file: e.file }),
    };
  }
  return {
    roles: [...demoApp.roles],
    entities,
    associations: Object.fromEntries([...demoApp.associations.values()].map((a) => [a.name, { from: a.from, to: a.to, type: a.type }])),
    accessRules: rules,
    syncProfile: Object.fromEntries(demoApp.syncProfile),
  };
}
