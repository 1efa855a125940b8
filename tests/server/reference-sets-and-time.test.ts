import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import { availableBackends, startFixture, type Fixture } from './helpers/sync-fixture.js';
import { TestDevice } from './helpers/test-device.js';

const backends = await availableBackends();

const app = defineApp({
  roles: ['Sales', 'Manager', 'Auditor'],
  entities: { 'T.Tag': { attributes: { Name: 'string' } }, 'T.Event': { attributes: { Title: 'string', Until: 'datetime' } } },
  associations: { 'T.Event_Tags': { from: 'T.Event', to: 'T.Tag', type: 'reference-set' } },
  accessRules: {
    'T.Tag': [{ roles: ['Sales'], create: true, members: '*' }],
    // Time-relative rule: an event is visible until it ends.
    'T.Event': [{ roles: ['Sales'], create: true, delete: true, members: '*', xpath: "[Until > '[%CurrentDateTime%]']" }],
  },
});

describe.each(backends)('reference sets and time tokens over %s', (backend) => {
  let fx: Fixture;
  let clock = new Date('2026-03-01T12:00:00Z');
  beforeAll(async () => {
    fx = await startFixture(backend, { app, seed: false, now: () => clock });
  });
  afterAll(() => fx.close());

  test('reference sets round-trip, are checked for dangling ids, and time passing purges through the digest', async () => {
    const up = await fx.upload('ann', [
      { mutationId: 't1', entity: 'T.Tag', id: 'tag-1', op: 'create', values: { Name: 'one' } },
      { mutationId: 't2', entity: 'T.Tag', id: 'tag-2', op: 'create', values: { Name: 'two' } },
      { mutationId: 'e1', entity: 'T.Event', id: 'ev-1', op: 'create', values: { Title: 'Fair', Until: '2026-03-01T13:00:00Z', 'T.Event_Tags': ['tag-2', 'tag-1'] } },
      { mutationId: 'e2', entity: 'T.Event', id: 'ev-2', op: 'create', values: { Title: 'Later', Until: '2026-04-01T00:00:00Z', 'T.Event_Tags': ['tag-1', 'nope'] } },
      { mutationId: 'e3', entity: 'T.Event', id: 'ev-3', op: 'create', values: { Title: 'Later', Until: '2026-04-01T00:00:00Z' } },
      { mutationId: 'e4', entity: 'T.Event', id: 'ev-3', op: 'update', values: { 'T.Event_Tags': ['tag-1'] } },
      { mutationId: 'e5', entity: 'T.Event', id: 'ev-1', op: 'update', values: { 'T.Event_Tags': ['tag-1', 'tag-2'] } },
    ]);
    expect(up.results.map((r) => (r.status === 'rejected' ? r.reason.code : r.status))).toEqual(['applied', 'applied', 'applied', 'dangling-reference', 'applied', 'applied', 'applied']);
    const device = new TestDevice(fx, 'ann', ['T.Tag', 'T.Event']);
    await device.sync();
    const events = device.view()['T.Event']!;
    expect(events.map((e) => [e.id, e.values['T.Event_Tags'], e.values['Until']])).toEqual([
      ['ev-1', ['tag-1', 'tag-2'], '2026-03-01T13:00:00.000Z'],
      ['ev-3', ['tag-1'], '2026-04-01T00:00:00.000Z'],
    ]);
    // The same set in another order is not a write: nothing new to download.
    const same = await fx.upload('ann', [{ mutationId: 'e6', entity: 'T.Event', id: 'ev-1', op: 'update', values: { 'T.Event_Tags': ['tag-2', 'tag-1'] } }]);
    expect(same.results[0]!.status).toBe('applied');
    expect((await device.sync()).upserts).toEqual({ 'T.Tag': 0, 'T.Event': 0 });
    clock = new Date('2026-03-01T14:00:00Z');
    const r = await device.sync();
    expect(r.removals).toEqual([{ entity: 'T.Event', id: 'ev-1', reason: 'access-lost' }]);
    const del = await fx.upload('ann', [{ mutationId: 'd3', entity: 'T.Event', id: 'ev-3', op: 'delete' }]);
    expect(del.results[0]!.status).toBe('applied');
    expect((await device.sync()).removals).toEqual([{ entity: 'T.Event', id: 'ev-3', reason: 'deleted' }]);
    const fresh = new TestDevice(fx, 'ann', ['T.Tag', 'T.Event']);
    await fresh.sync();
    expect(device.view()).toEqual(fresh.view());
  });
});
