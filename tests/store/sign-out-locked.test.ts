import { describe, expect, it } from 'vitest';
import { openVault } from '../../src/store/index.js';
import { freshIndexedDb, salesApp } from '../helpers/open-test-vault.js';

describe('signing out of a locked vault (a forgotten passphrase)', () => {
  it('refuses while unsynced changes exist, then erases everything unread when told to discard them', async () => {
    const idb = freshIndexedDb();
    const first = await openVault({ name: 'locked', app: salesApp, requestPersistence: false, markerStorage: null, ...idb });
    await first.table('Sales.Customer').bulkPut([{ Name: 'Ada' }, { Name: 'Bob' }]);
    await first.setProtection({ level: 'passphrase', passphrase: 'long enough phrase' });
    first.close();

    const vault = await openVault({ name: 'locked', app: salesApp, requestPersistence: false, markerStorage: null, ...idb });
    expect(vault.locked).toBe(true);
    await expect(vault.signOut()).rejects.toMatchObject({ name: 'UnsyncedChangesError', details: { outboxRows: 1, locked: true } });
    expect((await idb.indexedDB.databases()).map((d) => d.name)).toContain('offline-vault/locked');

    await expect(vault.signOut({ discardUnsynced: true })).resolves.toEqual([]);
    expect((await idb.indexedDB.databases()).map((d) => d.name)).not.toContain('offline-vault/locked');
    await expect(vault.table('Sales.Customer').count()).rejects.toMatchObject({ code: 'closed' });
  }, 20_000);

  it('returns the discarded changes with their content when the vault is unlocked', async () => {
    const idb = freshIndexedDb();
    const vault = await openVault({ name: 'open', app: salesApp, requestPersistence: false, markerStorage: null, ...idb });
    await vault.table('Sales.Customer').put({ id: 'c1', Name: 'Ada' });
    const discarded = await vault.signOut({ discardUnsynced: true });
    expect(discarded).toHaveLength(1);
    expect(discarded[0]).toMatchObject({ entity: 'Sales.Customer', id: 'c1', content: { id: 'c1', Name: 'Ada' } });
  });
});
