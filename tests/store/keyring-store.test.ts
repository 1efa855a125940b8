import { afterEach, describe, expect, it } from 'vitest';
import { openVault, type Vault } from '../../src/store/index.js';
import { openTestVault, rawRows, salesApp, tamperRows } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());
const DB = 'offline-vault/test';

describe('keyring', () => {
  it('creates non-extractable record, file and blind-index keys on first open', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    const rows = (await rawRows(opened.idb.indexedDB, DB, '_keyring')) as { name: string; key: CryptoKey }[];
    expect(rows.map((r) => r.name).sort()).toEqual([
      'file:1',
      'index:Sales.Customer/City',
      'index:Sales.Customer/Name',
      'index:Sales.Order/Number',
      'index:Sales.Order/Paid',
      'index:Sales.Order/Status',
      'record:1',
    ]);
    for (const { key } of rows) {
      expect(key.extractable).toBe(false);
      await expect(crypto.subtle.exportKey('raw', key)).rejects.toBeTruthy();
    }
  });

  it('reopens with the stored keys and reads what it wrote', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Customer').put({ id: 'c1', Name: 'Ada' });
    vault.close();
    const again = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...opened.idb });
    vault = again;
    expect(await again.table('Sales.Customer').get('c1')).toMatchObject({ Name: 'Ada' });
    expect(await again.table('Sales.Customer').where('Name').equals('Ada').count()).toBe(1);
  });

  it('raises KeyLostError when the keys are gone and leaves the ciphertext untouched', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Customer').bulkPut([{ id: 'c1', Name: 'Ada' }, { id: 'c2', Name: 'Bob' }]);
    vault.close();
    const before = await rawRows(opened.idb.indexedDB, DB, 'Sales.Customer');
    await tamperRows(opened.idb.indexedDB, DB, '_keyring', () => []);
    await expect(openVault({ name: 'test', app: salesApp, requestPersistence: false, ...opened.idb })).rejects.toMatchObject({
      name: 'KeyLostError',
      code: 'key-lost',
    });
    expect(await rawRows(opened.idb.indexedDB, DB, 'Sales.Customer')).toEqual(before);
    expect(await rawRows(opened.idb.indexedDB, DB, '_keyring')).toEqual([]);
  });

  it('raises KeyLostError when keys and meta are gone but ciphertext remains', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Order').put({ Number: 1 });
    vault.close();
    await tamperRows(opened.idb.indexedDB, DB, '_keyring', () => []);
    await tamperRows(opened.idb.indexedDB, DB, '_meta', () => []);
    await expect(openVault({ name: 'test', app: salesApp, requestPersistence: false, ...opened.idb })).rejects.toMatchObject({ name: 'KeyLostError' });
    expect(await rawRows(opened.idb.indexedDB, DB, '_keyring')).toEqual([]);
  });

  it('raises KeyLostError when one blind-index key is gone while rows use it', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Customer').put({ Name: 'Ada' });
    vault.close();
    await tamperRows(opened.idb.indexedDB, DB, '_keyring', (rows) => rows.filter((r) => r.name !== 'index:Sales.Customer/Name'));
    await expect(openVault({ name: 'test', app: salesApp, requestPersistence: false, ...opened.idb })).rejects.toMatchObject({
      name: 'KeyLostError',
      details: { entity: 'Sales.Customer', attribute: 'Name' },
    });
  });

  it('keeps an encrypted vault encrypted when reopened with encryption off (off applies to new vaults only)', async () => {
    const opened = await openTestVault();
    await opened.vault.table('Sales.Customer').put({ id: 'c1', Name: 'Ada' });
    opened.vault.close();
    vault = await openVault({ name: 'test', app: salesApp, requestPersistence: false, encryption: { database: false }, ...opened.idb });
    expect(vault.encrypted).toBe(true);
    expect(vault.securityLevel).toBe('device');
    await vault.table('Sales.Customer').put({ id: 'c2', Name: 'Bob' });
    const rows = (await rawRows(opened.idb.indexedDB, DB, 'Sales.Customer')) as { e?: unknown; d?: unknown }[];
    expect(rows.every((r) => r.e instanceof Uint8Array && r.d === undefined)).toBe(true);
  });

  it('stores no keys at all for a plaintext vault', async () => {
    const opened = await openTestVault({ encryption: { database: false } });
    vault = opened.vault;
    expect(await rawRows(opened.idb.indexedDB, DB, '_keyring')).toEqual([]);
  });
});
