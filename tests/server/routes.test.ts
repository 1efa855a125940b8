import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { DEFAULT_SYNC_LIMITS } from '../../src/core/sync-protocol.js';
import { DEMO_CUSTOMER_IDS, startDemoServer } from '../../src/server/demo/index.js';
import { availableBackends, startFixture, type Fixture } from './helpers/sync-fixture.js';

const backends = await availableBackends();

const actions = {
  'Sales.QuoteDiscount': {
    roles: ['Sales', 'Manager'],
    handler(input: unknown, { user }: { user: { id: string } }) {
      const total = (input as { TotalPrice?: unknown } | null)?.TotalPrice;
      if (typeof total !== 'number') throw new ValidationError('invalid-value', 'TotalPrice must be a number', { member: 'TotalPrice' });
      return { Discount: total >= 1000 ? 0.05 : 0, for: user.id };
    },
  },
};

describe.each(backends)('every route over %s', (backend) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startFixture(backend, { actions });
  });
  afterAll(() => fx.close());

  test('GET /v1/session names the user, the protocol and the limits', async () => {
    const r = await fx.call('/v1/session', { user: 'ann' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ protocol: 1, user: { id: 'ann', roles: ['Sales'] }, limits: DEFAULT_SYNC_LIMITS });
    expect(Number.isNaN(Date.parse(r.json.serverTime))).toBe(false);
  });

  test('POST /v1/upload applies a change that POST /v1/download then delivers to the reader', async () => {
    const id = 'a1b2c3d4-0000-4000-8000-000000000001';
    const up = await fx.upload('meg', [{ mutationId: 'r-1', entity: 'Sales.Customer', id, op: 'create', values: { Name: 'Nieuw BV', City: 'Delft', CreditLimit: 5, AccountManager: 'ann' } }]);
    expect(up).toEqual({ protocol: 1, results: [{ mutationId: 'r-1', status: 'applied' }] });
    const down = await fx.download('ann', { entities: { 'Sales.Customer': { checkpoint: null } } });
    const got = down.entities['Sales.Customer']!.upserts.find((u) => u.id === id);
    expect(got?.values).toEqual({ Name: 'Nieuw BV', City: 'Delft', AccountManager: 'ann' });
  });

  test('POST /v1/actions/<name> runs for an allowed role and is refused otherwise', async () => {
    const ok = await fx.call('/v1/actions/Sales.QuoteDiscount', { user: 'ann', body: { protocol: 1, input: { TotalPrice: 1500 } } });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ protocol: 1, output: { Discount: 0.05, for: 'ann' } });
    const denied = await fx.call('/v1/actions/Sales.QuoteDiscount', { user: 'aud', body: { protocol: 1, input: { TotalPrice: 1 } } });
    expect([denied.status, denied.json.error.code]).toEqual([403, 'forbidden']);
    const bad = await fx.call('/v1/actions/Sales.QuoteDiscount', { user: 'meg', body: { protocol: 1, input: { TotalPrice: 'x' } } });
    expect([bad.status, bad.json.error.code, bad.json.error.details.reason]).toEqual([422, 'action-rejected', 'invalid-value']);
    const unknown = await fx.call('/v1/actions/Nope', { user: 'meg', body: { protocol: 1 } });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'unknown-action']);
    const anonymous = await fx.call('/v1/actions/Sales.QuoteDiscount', { body: { protocol: 1, input: { TotalPrice: 1 } } });
    expect(anonymous.status).toBe(401);
  });

  test('responses are JSON that no cache may keep', async () => {
    const res = await fetch(`${fx.url}/v1/session`, { headers: { authorization: 'Bearer t-ann' } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    await res.text();
  });
});

describe('the demo server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ov-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('issues demo tokens, serves the seeded data, allows CORS and seeds only once', async () => {
    const dbPath = join(dir, 'sub', 'demo.db');
    const first = await startDemoServer({ port: 0, dbPath });
    try {
      const login = await fetch(`${first.url}/v1/demo-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bob' }) });
      const { token, user } = (await login.json()) as { token: string; user: unknown };
      expect(user).toEqual({ id: 'bob', roles: ['Sales'] });
      const session = await fetch(`${first.url}/v1/session`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await session.json()) as { user: { id: string } }).user.id).toBe('bob');
      const forged = await fetch(`${first.url}/v1/session`, { headers: { authorization: `Bearer ${token.slice(0, -2)}xx` } });
      expect(forged.status).toBe(401);
      await forged.text();
      const nobody = await fetch(`${first.url}/v1/demo-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'eve' }) });
      expect(nobody.status).toBe(401);
      await nobody.text();
      const preflight = await fetch(`${first.url}/v1/download`, { method: 'OPTIONS' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    } finally {
      await first.close();
    }
    const second = await startDemoServer({ port: 0, dbPath });
    try {
      const res = await fetch(`${second.url}/v1/download`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${second.tokenFor('meg')}` },
        body: JSON.stringify({ protocol: 1, entities: { 'Sales.Customer': { checkpoint: null } } }),
      });
      const body = (await res.json()) as { entities: Record<string, { upserts: { id: string }[] }> };
      const ids = body.entities['Sales.Customer']!.upserts.map((u) => u.id).sort();
      expect(ids).toEqual([...DEMO_CUSTOMER_IDS.ann, ...DEMO_CUSTOMER_IDS.bob, ...DEMO_CUSTOMER_IDS.meg].sort());
    } finally {
      await second.close();
    }
  });
});
