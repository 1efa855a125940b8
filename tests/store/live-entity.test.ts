import 'fake-indexeddb/auto'; // Dexie's liveQuery needs a global IndexedDB when it loads (as in browsers).
import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { openTestVault } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

function nextValues<T>(observable: { subscribe(o: (v: T) => void): { unsubscribe(): void } }, count: number): Promise<T[]> {
  return new Promise((resolve) => {
    const seen: T[] = [];
    const sub = observable.subscribe((v) => {
      seen.push(v);
      if (seen.length === count) {
        setTimeout(() => sub.unsubscribe());
        resolve(seen);
      }
    });
  });
}

describe('live entity queries', () => {
  it('emit decrypted objects again after every committed change', async () => {
    ({ vault } = await openTestVault());
    const t = vault.table('Sales.Customer');
    const values = nextValues(vault.live('Sales.Customer'), 3);
    await new Promise((r) => setTimeout(r, 20));
    await t.put({ id: 'c1', Name: 'Ada' });
    await new Promise((r) => setTimeout(r, 20));
    await t.update('c1', { Name: 'Ada L.' });
    const seen = await values;
    expect(seen.map((rows) => rows.map((r) => r['Name']))).toEqual([[], ['Ada'], ['Ada L.']]);
  });
});
