import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALL_DEMO_TABLES, availableBackends, snapshot, startFixture, type Fixture } from './helpers/sync-fixture.js';

const backends = await availableBackends();

const change = { mutationId: 'm-1', entity: 'Sales.Customer', id: 'x-1', op: 'create', values: { Name: 'Evil' } };

/** [name, path, request, expected status, expected code] */
const cases: [string, string, { user?: string; method?: string; body?: unknown; raw?: string | Uint8Array<ArrayBuffer>; headers?: Record<string, string> }, number, string][] = [
  ['malformed JSON', '/v1/upload', { user: 'meg', raw: '{"protocol":1,"changes":[' }, 400, 'malformed-json'],
  ['invalid UTF-8', '/v1/upload', { user: 'meg', raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }, 400, 'malformed-json'],
  ['a JSON array body', '/v1/upload', { user: 'meg', body: [change] }, 400, 'invalid-request'],
  ['wrong protocol version', '/v1/upload', { user: 'meg', body: { protocol: 2, changes: [change] } }, 400, 'protocol-version'],
  ['missing protocol version', '/v1/download', { user: 'meg', body: { entities: {} } }, 400, 'protocol-version'],
  ['changes that are not an array', '/v1/upload', { user: 'meg', body: { protocol: 1, changes: { 0: change } } }, 400, 'invalid-request'],
  ['a change with a bad op', '/v1/upload', { user: 'meg', body: { protocol: 1, changes: [change, { ...change, mutationId: 'm-2', op: 'upsert' }] } }, 400, 'invalid-request'],
  ['a mutation id with NUL', '/v1/upload', { user: 'meg', body: { protocol: 1, changes: [{ ...change, mutationId: 'a\u0000b' }] } }, 400, 'invalid-request'],
  ['values of the wrong type', '/v1/upload', { user: 'meg', body: { protocol: 1, changes: [{ ...change, values: ['Evil'] }] } }, 400, 'invalid-request'],
  ['too many changes', '/v1/upload', { user: 'meg', body: { protocol: 1, changes: [1, 2, 3, 4].map((i) => ({ ...change, mutationId: `m-${i}`, id: `x-${i}` })) } }, 413, 'too-many-changes'],
  ['an oversized body', '/v1/upload', { user: 'meg', body: { protocol: 1, changes: [{ ...change, values: { Name: 'x'.repeat(5000) } }] } }, 413, 'payload-too-large'],
  ['a body that is not JSON typed', '/v1/upload', { user: 'meg', raw: JSON.stringify({ protocol: 1, changes: [change] }), headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-media-type'],
  ['no token', '/v1/upload', { body: { protocol: 1, changes: [change] } }, 401, 'unauthenticated'],
  ['an invalid token', '/v1/upload', { user: 'mallory', body: { protocol: 1, changes: [change] } }, 401, 'unauthenticated'],
  ['no token on session', '/v1/session', {}, 401, 'unauthenticated'],
  ['an unknown entity in a download', '/v1/download', { user: 'meg', body: { protocol: 1, entities: { 'Sales.Nope': { checkpoint: null } } } }, 400, 'unknown-entity'],
  ['a memory-only entity in a download', '/v1/download', { user: 'meg', body: { protocol: 1, entities: { 'Sales.Draft': { checkpoint: null } } } }, 400, 'not-persistent'],
  ['an unknown entity in a selective download', '/v1/download', { user: 'meg', body: { protocol: 1, objects: [{ entity: 'X.Y', id: 'a' }] } }, 400, 'unknown-entity'],
  ['a forged checkpoint', '/v1/download', { user: 'meg', body: { protocol: 1, entities: { 'Sales.Order': { checkpoint: 'c.evil.1' } } } }, 400, 'invalid-checkpoint'],
  ['a garbled page checkpoint', '/v1/download', { user: 'meg', body: { protocol: 1, entities: { 'Sales.Order': { checkpoint: 'p.e30' } } } }, 400, 'invalid-checkpoint'],
  ['a bad bucket count', '/v1/download', { user: 'meg', body: { protocol: 1, entities: { 'Sales.Order': { checkpoint: null, reconcile: { bucketCount: 3, buckets: [0], have: [] } } } } }, 400, 'invalid-request'],
  ['a malformed have item', '/v1/download', { user: 'meg', body: { protocol: 1, entities: { 'Sales.Order': { checkpoint: null, reconcile: { bucketCount: 2, buckets: [0], have: [['a']] } } } } }, 400, 'invalid-request'],
  ['GET on upload', '/v1/upload', { user: 'meg', method: 'GET' }, 405, 'method-not-allowed'],
  ['a garbled action name', '/v1/actions/%E0%A4%A', { user: 'meg', body: { protocol: 1 } }, 404, 'unknown-action'],
  ['an unknown route', '/v1/nothing', { user: 'meg' }, 404, 'route-not-found'],
];

describe.each(backends)('bad input over %s', (backend) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startFixture(backend, { limits: { maxBodyBytes: 4096, maxChangesPerUpload: 3 } });
  });
  afterAll(() => fx.close());

  test.each(cases)('%s gets a 4xx JSON error and changes nothing', async (_name, path, init, status, code) => {
    const before = await snapshot(fx.store, ALL_DEMO_TABLES);
    const { raw, ...rest } = init;
    let r;
    if (raw instanceof Uint8Array) {
      const res = await fetch(`${fx.url}/sync${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer t-${init.user}` }, body: raw });
      const text = await res.text();
      r = { status: res.status, json: JSON.parse(text) };
    } else {
      r = await fx.call(path, { ...rest, ...(raw === undefined ? {} : { raw }) });
    }
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(typeof r.json.error.message).toBe('string');
    expect(await snapshot(fx.store, ALL_DEMO_TABLES)).toBe(before);
  });

  test('an error message never echoes the token or the rejected values', async () => {
    const r = await fx.call('/v1/upload', { user: 'mallory', body: { protocol: 1, changes: [{ ...change, values: { Name: 'SECRET-VALUE' } }] } });
    expect(r.text).not.toContain('mallory');
    expect(r.text).not.toContain('SECRET-VALUE');
  });
});
