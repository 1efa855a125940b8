import { IDBObjectStore } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openVault, type Vault } from '../../src/store/index.js';
import { freshIndexedDb, rawRows, salesApp } from '../helpers/open-test-vault.js';

const DB = 'offline-vault/test';
const original = IDBObjectStore.prototype.put;
let vault: Vault | undefined;

// Private modes (Safari Lockdown, some private windows) throw DataCloneError when a CryptoKey is stored.
beforeEach(() => {
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    const value = args[0] as { key?: unknown } | undefined;
    if (value?.key instanceof CryptoKey) throw new DOMException('CryptoKey cannot be cloned here', 'DataCloneError');
    return original.apply(this, args);
  };
});
afterEach(() => {
  IDBObjectStore.prototype.put = original;
  vault?.close();
});

describe('a browser that cannot store CryptoKeys', () => {
  it('runs the vault at the ephemeral level with memory-only keys, still encrypted', async () => {
    const idb = freshIndexedDb();
    vault = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...idb });
    expect(vault.securityLevel).toBe('ephemeral');
    expect(vault.encrypted).toBe(true);
    await vault.table('Sales.Customer').put({ id: 'c1', Name: 'EphemeralCanary' });
    expect(await vault.table('Sales.Customer').where('Name').equals('EphemeralCanary').count()).toBe(1);
    expect(await rawRows(idb.indexedDB, DB, '_keyring')).toEqual([]);
    const [row] = (await rawRows(idb.indexedDB, DB, 'Sales.Customer')) as { e?: unknown; d?: unknown }[];
    expect(row?.e).toBeInstanceOf(Uint8Array);
    expect(row?.d).toBeUndefined();
    expect((await vault.verifyEncryption()).ok).toBe(true);
  });

  it('starts empty on the next open: what the lost keys sealed is deleted, never read as garbage', async () => {
    const idb = freshIndexedDb();
    const first = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...idb });
    await first.table('Sales.Customer').put({ id: 'c1', Name: 'A' });
    first.close();
    vault = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...idb });
    expect(vault.securityLevel).toBe('ephemeral');
    expect(await vault.table('Sales.Customer').count()).toBe(0);
    expect(await rawRows(idb.indexedDB, DB, 'Sales.Customer')).toEqual([]);
    await vault.table('Sales.Customer').put({ id: 'c2', Name: 'B' });
    expect(await vault.table('Sales.Customer').get('c2')).toMatchObject({ Name: 'B' });
  });
});

describe('files in an ephemeral vault', () => {
  it('are refused with a typed error rather than stored without encryption', async () => {
    const { defineApp } = await import('../../src/app/index.js');
    const app = defineApp({ entities: { 'S.Photo': { file: 'image' } } });
    const idb = freshIndexedDb();
    vault = await openVault({ name: 'test', app, requestPersistence: false, ...idb });
    await expect(vault.files.put('S.Photo', 'p1', new Blob([new Uint8Array(10)]))).rejects.toMatchObject({ name: 'StorageError', code: 'data-clone' });
    expect(await vault.files.has('p1')).toBe(false);
  });
});

describe('a browser that stores CryptoKeys', () => {
  it('reports the device level', async () => {
    IDBObjectStore.prototype.put = original;
    vault = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...freshIndexedDb() });
    expect(vault.securityLevel).toBe('device');
  });
});
