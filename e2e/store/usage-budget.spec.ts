import { expect, test } from '../fixtures.js';
import { NOTES_APP } from './notes-app.js';

test.describe('usage budget in Chromium', () => {
  test('a bulkPut needing several budget leases completes (leases are taken before its write transaction)', async ({ harness }) => {
    const result = await harness.evaluate(async (spec) => {
      // Leases of 100 seals: a 1,000-record bulkPut needs ten; each lease is a readwrite transaction.
      const vault = await window.ov.openVault({ name: 'budget', app: window.ov.defineApp(spec), rotation: { leaseSize: 100 } });
      const notes = vault.table('Test.Note');
      const ids = await notes.bulkPut(Array.from({ length: 1000 }, (_, i) => ({ Title: `note ${i}`, Tag: i % 2 === 0 ? 'even' : 'odd' })));
      await notes.bulkPut(ids.map((id, i) => ({ id, Title: `changed ${i}`, Tag: 'even' })));
      const count = await notes.where('Tag').equals('even').count();
      vault.close();
      return { written: ids.length, count };
    }, NOTES_APP);
    expect(result).toEqual({ written: 1000, count: 1000 });
  });
});
