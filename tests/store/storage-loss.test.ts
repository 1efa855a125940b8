import { afterEach, describe, expect, it } from 'vitest';
import { openVault, type MarkerStorage, type Vault } from '../../src/store/index.js';
import { freshIndexedDb, salesApp, tamperRows } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

function memoryMarkers(): MarkerStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

function deleteDatabase(idb: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = idb.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

describe('storage loss detection', () => {
  it('reports nothing on a first open and on a normal reopen', async () => {
    const idb = freshIndexedDb();
    const markerStorage = memoryMarkers();
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage, ...idb });
    expect(vault.storageLoss).toEqual([]);
    vault.close();
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage, ...idb });
    expect(vault.storageLoss).toEqual([]);
  });

  it('reports an evicted database instead of silently starting fresh', async () => {
    const idb = freshIndexedDb();
    const markerStorage = memoryMarkers();
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage, ...idb });
    await vault.table('Sales.Customer').put({ Name: 'Ada' });
    vault.close();
    await deleteDatabase(idb.indexedDB, 'offline-vault/loss');
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage, ...idb });
    expect(vault.storageLoss).toEqual([{ kind: 'database-evicted' }]);
    expect(await vault.table('Sales.Customer').count()).toBe(0);
  });

  it('reports entity rows that vanished while their sync bookkeeping remains', async () => {
    const idb = freshIndexedDb();
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage: null, ...idb });
    await vault.table('Sales.Customer').put({ id: 'c1', Name: 'Ada' });
    vault.close();
    await tamperRows(idb.indexedDB, 'offline-vault/loss', '_versions', () => [{ k: 'Sales.Customer\u0000c1', e: 'Sales.Customer', v: 'v1' }]);
    await tamperRows(idb.indexedDB, 'offline-vault/loss', 'Sales.Customer', () => []);
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage: null, ...idb });
    expect(vault.storageLoss).toEqual([{ kind: 'data-lost', entities: ['Sales.Customer'] }]);
  });

  it('forgets the marker on sign-out, so a later fresh vault is not reported as evicted', async () => {
    const idb = freshIndexedDb();
    const markerStorage = memoryMarkers();
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage, ...idb });
    expect(markerStorage.map.size).toBe(1);
    await vault.signOut();
    expect(markerStorage.map.size).toBe(0);
    vault = await openVault({ name: 'loss', app: salesApp, requestPersistence: false, markerStorage, ...idb });
    expect(vault.storageLoss).toEqual([]);
  });
});
