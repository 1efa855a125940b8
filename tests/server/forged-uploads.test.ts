import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { UploadChange } from '../../src/core/sync-protocol.js';
import { DEMO_CUSTOMER_IDS } from '../../src/server/demo/index.js';
import { availableBackends, snapshot, startFixture, type Fixture } from './helpers/sync-fixture.js';

const backends = await availableBackends();
const [annC1] = DEMO_CUSTOMER_IDS.ann;
const [bobC3] = DEMO_CUSTOMER_IDS.bob;
const annO1 = '00000000-0000-4000-8000-000000000001'; // ann's order: Open, Paid false
const NEW_ORDER = 'f0000000-0000-4000-8000-000000000001';

async function objectAs(fx: Fixture, user: string, entity: string, id: string) {
  const r = await fx.download(user, { objects: [{ entity, id }] });
  return r.objects!.upserts[0]?.values;
}

describe.each(backends)('uploads over %s', (backend) => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture(backend);
  });
  afterEach(() => fx.close());

  /** [mutation, change, expected status, expected reason code] */
  const forged: [string, Omit<UploadChange, 'mutationId'>, 'applied' | 'rejected', string | undefined][] = [
    ['valid-update', { entity: 'Sales.Customer', id: annC1, op: 'update', values: { City: 'Schiedam' } }, 'applied', undefined],
    ['create-without-right', { entity: 'Sales.Customer', id: 'f1', op: 'create', values: { Name: 'Mine now' } }, 'rejected', 'create-denied'],
    ['write-read-only', { entity: 'Sales.Order', id: annO1, op: 'update', values: { Paid: true } }, 'rejected', 'write-denied'],
    ['write-unreadable', { entity: 'Sales.Customer', id: annC1, op: 'update', values: { CreditLimit: '999999' } }, 'rejected', 'write-denied'],
    ['outside-xpath', { entity: 'Sales.Customer', id: bobC3, op: 'update', values: { Name: 'Stolen' } }, 'rejected', 'not-found'],
    ['delete-without-right', { entity: 'Sales.Order', id: annO1, op: 'delete' }, 'rejected', 'delete-denied'],
    ['valid-create', { entity: 'Sales.Order', id: NEW_ORDER, op: 'create', values: { Number: 77, Status: 'Open', 'Sales.Order_Customer': annC1 } }, 'applied', undefined],
    ['create-setting-read-only', { entity: 'Sales.Order', id: 'f2', op: 'create', values: { Number: 78, Paid: true, 'Sales.Order_Customer': annC1 } }, 'rejected', 'write-denied'],
    ['dangling', { entity: 'Sales.Order', id: 'f3', op: 'create', values: { Number: 79, 'Sales.Order_Customer': 'no-such-customer' } }, 'rejected', 'dangling-reference'],
    ['unchanged-read-only-is-no-write', { entity: 'Sales.Order', id: annO1, op: 'update', values: { Paid: false, Status: 'Paid' } }, 'applied', undefined],
    ['unknown-entity', { entity: 'Sales.Nope', id: 'f4', op: 'create', values: {} }, 'rejected', 'unknown-entity'],
    ['memory-only', { entity: 'Sales.Draft', id: 'f5', op: 'create', values: { Text: 'x' } }, 'rejected', 'not-persistent'],
    ['bad-enum', { entity: 'Sales.Order', id: annO1, op: 'update', values: { Status: 'Bogus' } }, 'rejected', 'invalid-value'],
    ['unknown-member', { entity: 'Sales.Order', id: annO1, op: 'update', values: { Owner: 'ann' } }, 'rejected', 'unknown-member'],
    ['nul-in-text', { entity: 'Sales.Customer', id: annC1, op: 'update', values: { Name: 'a\u0000b' } }, 'rejected', 'invalid-value'],
    ['empty-id', { entity: 'Sales.Order', id: '', op: 'create', values: {} }, 'rejected', 'invalid-id'],
  ];

  test('forged changes are rejected one by one while the valid ones in the same upload apply', async () => {
    const res = await fx.upload('ann', forged.map(([m, c]) => ({ mutationId: m, ...c }) as UploadChange));
    const got = res.results.map((r) => [r.mutationId, r.status, r.status === 'rejected' ? r.reason.code : undefined]);
    expect(got).toEqual(forged.map(([m, , s, code]) => [m, s, code]));
    for (const r of res.results) if (r.status === 'rejected') expect(r.reason.message).not.toMatch(/Stolen|999999|Mine now|Bogus/);
    expect(await objectAs(fx, 'meg', 'Sales.Customer', annC1)).toMatchObject({ City: 'Schiedam', CreditLimit: '30000.01', Name: 'Van Dijk Bouw' });
    expect(await objectAs(fx, 'meg', 'Sales.Order', annO1)).toMatchObject({ Paid: false, Status: 'Paid' });
    expect(await objectAs(fx, 'meg', 'Sales.Customer', bobC3)).toMatchObject({ Name: 'De Vries Logistiek' });
    expect(await objectAs(fx, 'meg', 'Sales.Order', NEW_ORDER)).toMatchObject({ Number: 77, Paid: null, 'Sales.Order_Customer': annC1 });
    const missing = await fx.download('meg', { objects: ['f1', 'f2', 'f3'].map((id) => ({ entity: 'Sales.Order', id })) });
    expect(missing.objects!.removals.map((r) => r.reason)).toEqual(['deleted', 'deleted', 'deleted']);
  });

  test('the auditor reads everything and writes nothing', async () => {
    const res = await fx.upload('aud', [
      { mutationId: 'a1', entity: 'Sales.Order', id: annO1, op: 'update', values: { Status: 'Closed' } },
      { mutationId: 'a2', entity: 'Sales.Order', id: 'g1', op: 'create', values: { Number: 1 } },
      { mutationId: 'a3', entity: 'Sales.Customer', id: bobC3, op: 'delete' },
    ]);
    expect(res.results.map((r) => (r.status === 'rejected' ? r.reason.code : r.status))).toEqual(['write-denied', 'create-denied', 'delete-denied']);
  });

  test('a change may reference an object created earlier in the same upload; a delete leaves a tombstone', async () => {
    const res = await fx.upload('meg', [
      { mutationId: 'm1', entity: 'Sales.Customer', id: 'cust-new', op: 'create', values: { Name: 'N', AccountManager: 'bob' } },
      { mutationId: 'm2', entity: 'Sales.Order', id: 'ord-new', op: 'create', values: { Number: 5, 'Sales.Order_Customer': 'cust-new' } },
      { mutationId: 'm3', entity: 'Sales.Order', id: 'ord-new', op: 'delete' },
      { mutationId: 'm4', entity: 'Sales.Order', id: 'ord-new', op: 'delete' },
      { mutationId: 'm5', entity: 'Sales.Order', id: 'ord-new', op: 'create', values: { Number: 6 } },
    ]);
    expect(res.results.map((r) => (r.status === 'rejected' ? r.reason.code : r.status))).toEqual(['applied', 'applied', 'applied', 'applied', 'duplicate-id']);
  });

  test('the same upload twice is applied once and answered identically', async () => {
    const changes: UploadChange[] = [
      { mutationId: 'i1', entity: 'Sales.Order', id: 'idem-1', op: 'create', values: { Number: 1, Status: 'Open', 'Sales.Order_Customer': annC1 } },
      { mutationId: 'i2', entity: 'Sales.Order', id: annO1, op: 'update', values: { Paid: true } },
      { mutationId: 'i1', entity: 'Sales.Order', id: 'idem-1', op: 'create', values: { Number: 1, Status: 'Open', 'Sales.Order_Customer': annC1 } },
    ];
    const body = { protocol: 1, changes };
    const first = await fx.call('/v1/upload', { user: 'ann', body });
    const tables = ['Sales.Order', 'Sales.Order#deleted', 'ov_mutations'];
    const after = await snapshot(fx.store, tables);
    const second = await fx.call('/v1/upload', { user: 'ann', body });
    expect(second.text).toBe(first.text);
    expect(first.json.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(await snapshot(fx.store, tables)).toBe(after);
    // Mutation ids are per user: another user's identical id is a new change.
    const other = await fx.upload('bob', [{ ...changes[0]!, id: 'idem-2', values: { Number: 2 } }]);
    expect(other.results[0]!.status).toBe('applied');
  });

  test('concurrent uploads with one shared mutation id apply it exactly once', async () => {
    const shared: UploadChange = { mutationId: 'shared', entity: 'Sales.Customer', id: 'conc-0', op: 'create', values: { Name: 'once' } };
    const uploads = Array.from({ length: 8 }, (_, i) =>
      fx.upload('meg', [shared, { mutationId: `own-${i}`, entity: 'Sales.Customer', id: `conc-${i + 1}`, op: 'create', values: { Name: `c${i}` } }]),
    );
    const results = await Promise.all(uploads);
    expect(results.every((r) => r.results.every((x) => x.status === 'applied'))).toBe(true);
    const down = await fx.download('meg', { entities: { 'Sales.Customer': { checkpoint: null } } });
    const conc = down.entities['Sales.Customer']!.upserts.filter((u) => u.id.startsWith('conc-'));
    expect(conc.length).toBe(9);
    // Versions are unique per upload: eight writers, eight sequence numbers for their own rows.
    expect(new Set(conc.filter((u) => u.id !== 'conc-0').map((u) => u.version.split('.')[0])).size).toBe(8);
  });

  test('conflicts resolve per member: the last writer wins only the members it wrote', async () => {
    await fx.upload('ann', [{ mutationId: 'w1', entity: 'Sales.Customer', id: annC1, op: 'update', values: { City: 'Gouda' } }]);
    await fx.upload('meg', [{ mutationId: 'w2', entity: 'Sales.Customer', id: annC1, op: 'update', values: { Name: 'Van Dijk Bouw BV', CreditLimit: 1 } }]);
    expect(await objectAs(fx, 'meg', 'Sales.Customer', annC1)).toMatchObject({ City: 'Gouda', Name: 'Van Dijk Bouw BV', CreditLimit: '1' });
    await fx.upload('meg', [{ mutationId: 'w3', entity: 'Sales.Customer', id: annC1, op: 'update', values: { City: 'Delft' } }]);
    await fx.upload('ann', [{ mutationId: 'w4', entity: 'Sales.Customer', id: annC1, op: 'update', values: { City: 'Leiden' } }]);
    expect(await objectAs(fx, 'meg', 'Sales.Customer', annC1)).toMatchObject({ City: 'Leiden', Name: 'Van Dijk Bouw BV' });
  });
});
