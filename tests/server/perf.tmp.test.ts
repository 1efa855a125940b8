import { expect, test } from 'vitest';
import { startFixture } from './helpers/sync-fixture.js';
import { TestDevice } from './helpers/test-device.js';
import { DEMO_CUSTOMER_IDS } from '../../src/server/demo/index.js';

test('perf', async () => {
  for (const backend of ['sqlite', 'postgres'] as const) {
  const fx = await startFixture(backend);
  let t = performance.now();
  for (let c = 0; c < 20; c++) {
    await fx.upload('meg', Array.from({ length: 5000 }, (_, i) => ({ mutationId: `b${c}-${i}`, entity: 'Sales.Order', id: crypto.randomUUID(), op: 'create' as const,
      values: { Number: i, Status: 'Open', TotalPrice: '12.5', PlacedAt: '2026-01-01T00:00:00Z', 'Sales.Order_Customer': DEMO_CUSTOMER_IDS.ann[0] } })));
  }
  console.log(backend, 'seed 100k', Math.round(performance.now() - t));
  const d = new TestDevice(fx, 'ann', ['Sales.Order']);
  t = performance.now(); fx.bodies.length = 0;
  const r = await d.sync();
  const initialBytes = fx.bodies.join('').length;
  console.log(backend, 'initial', Math.round(performance.now() - t), 'ms', r.requests, 'req', initialBytes, 'bytes');
  const ids = [...d.table('Sales.Order').keys()].slice(0, 10);
  await fx.upload('meg', ids.map((id, i) => ({ mutationId: `u${i}`, entity: 'Sales.Order', id, op: 'update' as const, values: { TotalPrice: 99 } })));
  t = performance.now(); fx.bodies.length = 0;
  const r2 = await d.sync();
  console.log(backend, 'incremental', Math.round(performance.now() - t), 'ms', r2.requests, 'req', fx.bodies.join('').length, 'bytes', r2.upserts);
  expect(r2.upserts['Sales.Order']).toBe(10);
  await fx.close();
  }
}, 300_000);
