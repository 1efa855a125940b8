import type { Page } from '@playwright/test';
import { expect, openHarness, test } from '../fixtures.js';
import { NOTES_APP } from './notes-app.js';

const ROUNDS = 100;

/** In `page`, increments `member` of the counter `id` ROUNDS times, each a read then an update. */
async function increment(page: Page, id: string, member: 'A' | 'B'): Promise<number> {
  return page.evaluate(
    async ({ spec, id, member, rounds }) => {
      const vault = await window.ov.openVault({ name: 'shared', app: window.ov.defineApp(spec) });
      const counters = vault.table('Test.Counter');
      for (let i = 0; i < rounds; i++) {
        const current = await counters.get(id);
        if (current === undefined) throw new Error('counter vanished');
        const updated = await counters.update(id, { [member]: (current[member] as number) + 1 });
        if (!updated) throw new Error('update found no object');
      }
      const last = await counters.get(id);
      vault.close();
      return last?.[member] as number;
    },
    { spec: NOTES_APP, id, member, rounds: ROUNDS },
  );
}

test('two pages updating different members of the same object concurrently lose no update', async ({ context, harness, origin }) => {
  const id = await harness.evaluate(async (spec) => {
    const vault = await window.ov.openVault({ name: 'shared', app: window.ov.defineApp(spec) });
    const newId = await vault.table('Test.Counter').put({ A: 0, B: 0, Label: 'shared' });
    vault.close();
    return newId;
  }, NOTES_APP);
  const other = await openHarness(await context.newPage(), origin);

  const [a, b] = await Promise.all([increment(harness, id, 'A'), increment(other, id, 'B')]);

  expect(a).toBe(ROUNDS);
  expect(b).toBe(ROUNDS);
  const final = await harness.evaluate(
    async ({ spec, id }) => {
      const vault = await window.ov.openVault({ name: 'shared', app: window.ov.defineApp(spec) });
      const object = await vault.table('Test.Counter').get(id);
      vault.close();
      return object;
    },
    { spec: NOTES_APP, id },
  );
  expect(final).toEqual({ id, A: ROUNDS, B: ROUNDS, Label: 'shared' });
});
