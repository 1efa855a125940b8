import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { openTestVault, rawRows } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

describe('memory-only entities', () => {
  it('offer the same table API with validation', async () => {
    ({ vault } = await openTestVault());
    const drafts = vault.table('Sales.Draft');
    const id = await drafts.put({ Text: 'hello' });
    expect(await drafts.get(id)).toEqual({ id, Text: 'hello' });
    expect(await drafts.update(id, { Text: 'bye' })).toBe(true);
    expect(await drafts.where('Text').equals('bye').count()).toBe(1);
    await expect(drafts.put({ Text: 5 })).rejects.toMatchObject({ name: 'ValidationError', details: { member: 'Text' } });
    await drafts.delete(id);
    expect(await drafts.count()).toBe(0);
  });

  it('never reach IndexedDB: no object store, no outbox entry', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Draft').bulkPut([{ Text: 'MemoryCanary1' }, { Text: 'MemoryCanary2' }]);
    const names = await new Promise<string[]>((resolve) => {
      const req = opened.idb.indexedDB.open('offline-vault/test');
      req.onsuccess = () => {
        resolve([...req.result.objectStoreNames]);
        req.result.close();
      };
    });
    expect(names).not.toContain('Sales.Draft');
    expect(await rawRows(opened.idb.indexedDB, 'offline-vault/test', '_outbox')).toEqual([]);
    expect(await vault.outbox()).toEqual([]);
  });

  it('are gone after close and a reopen', async () => {
    const opened = await openTestVault();
    await opened.vault.table('Sales.Draft').put({ Text: 'x' });
    opened.vault.close();
    await expect(opened.vault.table('Sales.Draft').count()).rejects.toMatchObject({ name: 'StorageError', code: 'closed' });
    const again = await openTestVault({ indexedDB: opened.idb.indexedDB });
    vault = again.vault;
    expect(await vault.table('Sales.Draft').count()).toBe(0);
  });

  it('notify live subscribers of changes', async () => {
    ({ vault } = await openTestVault());
    const seen: number[] = [];
    const sub = vault.live('Sales.Draft').subscribe((rows) => seen.push(rows.length));
    await new Promise((r) => setTimeout(r, 0));
    await vault.table('Sales.Draft').put({ Text: 'a' });
    await vault.table('Sales.Draft').put({ Text: 'b' });
    sub.unsubscribe();
    await vault.table('Sales.Draft').put({ Text: 'c' });
    expect(seen).toEqual([0, 1, 2]);
  });
});
