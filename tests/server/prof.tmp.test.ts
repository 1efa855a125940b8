import { test } from 'vitest';
import { startFixture } from './helpers/sync-fixture.js';
import { DEMO_CUSTOMER_IDS } from '../../src/server/demo/index.js';
import { computeVisibleSetDigest } from '../../src/core/visible-set-digest.js';

test('prof', async () => {
  const fx = await startFixture('sqlite');
  for (let c = 0; c < 20; c++) {
    await fx.upload('meg', Array.from({ length: 5000 }, (_, i) => ({ mutationId: `b${c}-${i}`, entity: 'Sales.Order', id: crypto.randomUUID(), op: 'create' as const,
      values: { Number: i, Status: 'Open', TotalPrice: '12.5', 'Sales.Order_Customer': DEMO_CUSTOMER_IDS.ann[0] } })));
  }
  const items: [string, string][] = [];
  await fx.store.transaction('read', async (tx) => {
    let t = performance.now();
    const rows = await tx.all(`SELECT t.id, t."ov$version" FROM "Sales.Order" t WHERE EXISTS (SELECT 1 FROM "Sales.Customer" c WHERE c.id = t."Sales.Order_Customer" AND c.AccountManager = 'ann') AND t.Status != 'Closed'`);
    console.log('query', rows.length, Math.round(performance.now() - t));
    for (const r of rows) items.push([String(r['id']), `${r['ov$version']}.abcdef12`]);
  });
  let t = performance.now();
  computeVisibleSetDigest(items, 2048);
  console.log('digest js', Math.round(performance.now() - t));
  t = performance.now();
  await fx.download('ann', { entities: { 'Sales.Order': { checkpoint: 'c.' + '0'.repeat(36) } } }).catch(() => undefined);
  const r = await fx.call('/v1/session', { user: 'ann' });
  console.log('dl total', Math.round(performance.now() - t));
  await fx.close();
}, 300_000);
