import { afterEach, describe, expect, it } from 'vitest';
import { openVault, type Vault } from '../../src/store/index.js';
import { openTestVault, salesApp, tamperRows } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());
const DB = 'offline-vault/test';

async function setup() {
  const opened = await openTestVault();
  await opened.vault.table('Sales.Customer').bulkPut([
    { id: 'c1', Name: 'Ada' },
    { id: 'c2', Name: 'Bob' },
  ]);
  await opened.vault.table('Sales.Order').put({ id: 'c1', Number: 5 });
  opened.vault.close();
  const reopen = async () => (vault = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...opened.idb }));
  return { ...opened, reopen };
}

describe('stored records bound to their context', () => {
  it('fail with IntegrityError when two records swap envelopes', async () => {
    const s = await setup();
    await tamperRows(s.idb.indexedDB, DB, 'Sales.Customer', (rows) => {
      const [a, b] = rows;
      return [{ ...a, e: b.e }, { ...b, e: a.e }];
    });
    const v = await s.reopen();
    await expect(v.table('Sales.Customer').get('c1')).rejects.toMatchObject({ name: 'IntegrityError' });
    await expect(v.table('Sales.Customer').get('c2')).rejects.toMatchObject({ name: 'IntegrityError' });
  });

  it('fail with IntegrityError when a record is moved to another store under the same id', async () => {
    const s = await setup();
    let moved: unknown;
    await tamperRows(s.idb.indexedDB, DB, 'Sales.Customer', (rows) => {
      moved = rows.find((r) => r.id === 'c1');
      return rows;
    });
    await tamperRows(s.idb.indexedDB, DB, 'Sales.Order', () => [moved]);
    const v = await s.reopen();
    await expect(v.table('Sales.Order').get('c1')).rejects.toMatchObject({ name: 'IntegrityError' });
  });

  it('fail with IntegrityError when the schema version is changed', async () => {
    const s = await setup();
    await tamperRows(s.idb.indexedDB, DB, 'Sales.Customer', (rows) => rows.map((r) => ({ ...r, sv: 2 })));
    const v = await s.reopen();
    await expect(v.table('Sales.Customer').get('c1')).rejects.toMatchObject({ name: 'IntegrityError' });
    await expect(v.table('Sales.Customer').toArray()).rejects.toMatchObject({ name: 'IntegrityError' });
  });

  it('fail with IntegrityError when a ciphertext byte is flipped', async () => {
    const s = await setup();
    await tamperRows(s.idb.indexedDB, DB, 'Sales.Customer', (rows) =>
      rows.map((r) => {
        const e = new Uint8Array(r.e);
        e[40] = e[40]! ^ 1;
        return { ...r, e };
      }),
    );
    const v = await s.reopen();
    await expect(v.table('Sales.Customer').get('c2')).rejects.toMatchObject({ name: 'IntegrityError' });
  });

  it('fail with IntegrityError when an outbox entry is replaced by another', async () => {
    const s = await setup();
    await tamperRows(s.idb.indexedDB, DB, '_outbox', (rows) => [{ ...rows[0], e: rows[1].e }, rows[1]]);
    const v = await s.reopen();
    await expect(v.outbox()).rejects.toMatchObject({ name: 'IntegrityError' });
  });
});

describe('schema version in the AAD', () => {
  it('rejects a record whose stored version was lowered to another supported version', async () => {
    const { defineApp } = await import('../../src/app/index.js');
    const { salesSpec } = await import('../helpers/open-test-vault.js');
    const v2 = defineApp({ ...salesSpec, version: 2 });
    const opened = await openTestVault({ app: v2 });
    await opened.vault.table('Sales.Customer').put({ id: 'c1', Name: 'Ada' });
    opened.vault.close();
    await tamperRows(opened.idb.indexedDB, DB, 'Sales.Customer', (rows) => rows.map((r) => ({ ...r, sv: 1 })));
    vault = await openVault({ name: 'test', app: v2, requestPersistence: false, ...opened.idb });
    await expect(vault.table('Sales.Customer').get('c1')).rejects.toMatchObject({ name: 'IntegrityError', code: 'integrity-check-failed' });
  });
});
