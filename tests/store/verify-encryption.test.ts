import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../src/store/index.js';
import { openTestVault, tamperRows } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
afterEach(() => vault?.close());

describe('verifyEncryption', () => {
  it('reports every record and outbox row of an encrypted vault as sealed, with the key generation', async () => {
    ({ vault } = await openTestVault());
    await vault.table('Sales.Customer').bulkPut([{ Name: 'A' }, { Name: 'B' }]);
    await vault.table('Sales.Order').put({ Number: 1 });
    const report = await vault.verifyEncryption();
    const byName = Object.fromEntries(report.stores.map((s) => [s.name, s]));
    expect(report.ok).toBe(true);
    expect(report.keysNonExtractable).toBe(true);
    expect(byName['Sales.Customer']).toMatchObject({ rows: 2, sealed: 2, unexpectedPlaintext: 0, keyIds: [1] });
    expect(byName['Sales.Order']).toMatchObject({ rows: 1, sealed: 1, unexpectedPlaintext: 0 });
    expect(byName['_outbox']).toMatchObject({ rows: 2, sealed: 2 });
    expect(byName['_keyring']!.plainByDesign).toBeGreaterThan(0);
    expect(vault.securityLevel).toBe('device');
  });

  it('finds a plaintext row slipped into an encrypted store', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Customer').put({ id: 'c1', Name: 'A' });
    await tamperRows(opened.idb.indexedDB, 'offline-vault/test', 'Sales.Customer', (rows) => [...rows, { id: 'c2', d: { Name: 'Leaked' } }]);
    const report = await vault.verifyEncryption();
    expect(report.ok).toBe(false);
    expect(report.stores.find((s) => s.name === 'Sales.Customer')).toMatchObject({ rows: 2, sealed: 1, unexpectedPlaintext: 1 });
  });

  it('counts a plaintext vault as plaintext by design, not as a leak', async () => {
    ({ vault } = await openTestVault({ encryption: { database: false } }));
    await vault.table('Sales.Customer').put({ Name: 'A' });
    const report = await vault.verifyEncryption();
    expect(report.encrypted).toBe(false);
    expect(report.stores.find((s) => s.name === 'Sales.Customer')).toMatchObject({ rows: 1, sealed: 0, plainByDesign: 1, unexpectedPlaintext: 0 });
  });
});
