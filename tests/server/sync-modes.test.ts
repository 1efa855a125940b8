import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import { DEMO_CUSTOMER_IDS } from '../../src/server/demo/index.js';
import { availableBackends, startFixture, type Fixture } from './helpers/sync-fixture.js';

const backends = await availableBackends();

const attrs = { attributes: { Flag: 'boolean' as const, Label: 'string' as const } };
const modesApp = defineApp({
  entities: { 'M.All': attrs, 'M.X': attrs, 'M.Keep': attrs, 'M.Clear': attrs, 'M.Never': attrs },
  syncProfile: {
    'M.All': { mode: 'all' },
    'M.X': { mode: 'xpath', xpath: '[Flag = true()]' },
    'M.Keep': { mode: 'nothing-preserve' },
    'M.Clear': { mode: 'nothing-clear' },
    'M.Never': { mode: 'never' },
  },
});
const ENTITIES = ['M.All', 'M.X', 'M.Keep', 'M.Clear', 'M.Never'];

describe.each(backends)('sync modes over %s', (backend) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startFixture(backend, { app: modesApp, seed: false });
    const changes = ENTITIES.flatMap((entity) =>
      [true, false].map((Flag) => ({ mutationId: `${entity}-${Flag}`, entity, id: `${entity}-${Flag}`, op: 'create' as const, values: { Flag, Label: 'x' } })),
    );
    const res = await fx.upload('meg', changes);
    expect(res.results.every((r) => r.status === 'applied')).toBe(true);
  });
  afterAll(() => fx.close());

  test('each mode downloads what it promises', async () => {
    const cp = 'c.00000000-0000-4000-8000-000000000000.0';
    const res = await fx.download('ann', { entities: Object.fromEntries(ENTITIES.map((e) => [e, { checkpoint: e === 'M.Keep' ? cp : null }])) });
    const summary = Object.fromEntries(
      Object.entries(res.entities).map(([e, r]) => [e, { mode: r.mode, ids: r.upserts.map((u) => u.id).sort(), clear: r.clear ?? null, digest: r.digest !== undefined }]),
    );
    expect(summary).toEqual({
      'M.All': { mode: 'all', ids: ['M.All-false', 'M.All-true'], clear: null, digest: true },
      'M.X': { mode: 'xpath', ids: ['M.X-true'], clear: null, digest: true },
      'M.Keep': { mode: 'nothing-preserve', ids: [], clear: null, digest: false },
      'M.Clear': { mode: 'nothing-clear', ids: [], clear: 'cleared', digest: false },
      'M.Never': { mode: 'never', ids: [], clear: null, digest: false },
    });
    expect(res.entities['M.Keep']!.checkpoint).toBe(cp);
  });

  test('selective sync reaches any mode, ignores the profile XPath and reports missing objects', async () => {
    const objects = [
      { entity: 'M.Never', id: 'M.Never-true' },
      { entity: 'M.X', id: 'M.X-false' },
      { entity: 'M.All', id: 'gone' },
    ];
    const res = await fx.download('ann', { objects });
    expect(res.entities).toEqual({});
    expect(res.objects!.upserts.map((u) => [u.entity, u.id, u.values])).toEqual([
      ['M.Never', 'M.Never-true', { Flag: true, Label: 'x' }],
      ['M.X', 'M.X-false', { Flag: false, Label: 'x' }],
    ]);
    expect(res.objects!.removals).toEqual([{ entity: 'M.All', id: 'gone', reason: 'deleted' }]);
  });
});

describe.each(backends)('selective sync under access rules over %s', (backend) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startFixture(backend);
  });
  afterAll(() => fx.close());

  test('a selected object comes with readable members only; an unreadable one is reported as access-lost', async () => {
    const res = await fx.download('ann', {
      objects: [
        { entity: 'Sales.Customer', id: DEMO_CUSTOMER_IDS.ann[0] },
        { entity: 'Sales.Customer', id: DEMO_CUSTOMER_IDS.bob[0] },
        { entity: 'Sales.Order', id: '00000000-0000-4000-8000-000000000003' }, // ann's closed order: the profile does not apply
      ],
    });
    expect(res.objects!.upserts.map((u) => [u.id, Object.keys(u.values).sort()])).toEqual([
      [DEMO_CUSTOMER_IDS.ann[0], ['AccountManager', 'City', 'Name']],
      ['00000000-0000-4000-8000-000000000003', ['Number', 'Paid', 'PlacedAt', 'Sales.Order_Customer', 'Status', 'TotalPrice']],
    ]);
    expect(res.objects!.removals).toEqual([{ entity: 'Sales.Customer', id: DEMO_CUSTOMER_IDS.bob[0], reason: 'access-lost' }]);
  });
});
