import { IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { openTestVault, rawRows } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

describe('outbox', () => {
  it('records creates, updates of changed members only, and deletes in commit order', async () => {
    ({ vault } = await openTestVault());
    const t = vault.table('Sales.Order');
    await t.put({ id: 'o1', Number: 1, Status: 'Open' });
    await t.update('o1', { Status: 'Paid', Number: 1 });
    await t.put({ id: 'o1', Number: 1, Status: 'Paid' }); // unchanged: no entry
    await t.delete('o1');
    await t.delete('o1'); // already gone: no entry
    const changes = (await vault.outbox()).map(({ op, id, members }) => ({ op, id, members }));
    expect(changes).toEqual([
      { op: 'create', id: 'o1', members: ['Number', 'Status'] },
      { op: 'update', id: 'o1', members: ['Status'] },
      { op: 'delete', id: 'o1', members: [] },
    ]);
    expect(await vault.pendingChanges()).toBe(1);
  });

  it('writes one encrypted outbox row per bulk write, holding every object of it', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Customer').bulkPut(Array.from({ length: 50 }, (_, i) => ({ Name: `OutboxCanary${i}` })));
    const rows = (await rawRows(opened.idb.indexedDB, 'offline-vault/test', '_outbox')) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!['e']).toBeInstanceOf(Uint8Array);
    expect(Object.keys(rows[0]!).sort()).toEqual(['e', 'seq', 'sv', 'uid']);
    expect(await vault.outbox()).toHaveLength(50);
  });

  it('commits the outbox entry in the same transaction as the change: a failing outbox write leaves neither', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    const t = vault.table('Sales.Customer');
    await t.put({ id: 'c1', Name: 'A' });
    const original = IDBObjectStore.prototype.add;
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (this.name === '_outbox') throw new DOMException('simulated quota', 'QuotaExceededError');
      return original.apply(this, args);
    };
    try {
      await expect(t.put({ id: 'c1', Name: 'B' })).rejects.toMatchObject({ name: 'StorageError', code: 'quota-exceeded' });
      await expect(t.put({ Name: 'C' })).rejects.toMatchObject({ name: 'StorageError' });
    } finally {
      IDBObjectStore.prototype.add = original;
    }
    expect((await t.toArray()).map((o) => o['Name'])).toEqual(['A']);
    expect(await rawRows(opened.idb.indexedDB, 'offline-vault/test', '_outbox')).toHaveLength(1);
  });
});
