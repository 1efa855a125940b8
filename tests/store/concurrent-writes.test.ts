import { afterEach, describe, expect, it } from 'vitest';
import { openVault, type Vault } from '../../src/store/index.js';
import { openTestVault, salesApp } from '../helpers/open-test-vault.js';

const open: Vault[] = [];
afterEach(() => open.splice(0).forEach((v) => v.close()));

describe.each([true, false])('two vault instances writing the same object (encrypted: %s)', (encrypted) => {
  it('lose no update when they increment different members concurrently', async () => {
    const first = await openTestVault({ encryption: { database: encrypted } });
    const second = await openVault({ name: 'test', app: salesApp, requestPersistence: false, encryption: { database: encrypted }, ...first.idb });
    open.push(first.vault, second);
    await first.vault.table('Sales.Order').put({ id: 'o1', CounterA: 0, CounterB: 0 });
    const bump = async (vault: Vault, member: 'CounterA' | 'CounterB', times: number) => {
      for (let i = 0; i < times; i++) {
        const current = await vault.table('Sales.Order').get('o1');
        // Read-modify-write through update: the pipeline re-checks the row before committing.
        await vault.table('Sales.Order').update('o1', { [member]: (current![member] as number) + 1 });
      }
    };
    await Promise.all([bump(first.vault, 'CounterA', 40), bump(second, 'CounterB', 40)]);
    expect(await first.vault.table('Sales.Order').get('o1')).toMatchObject({ CounterA: 40, CounterB: 40 });
  });

  it('keep both members when two puts of different members race on the same object', async () => {
    const first = await openTestVault({ encryption: { database: encrypted } });
    const second = await openVault({ name: 'test', app: salesApp, requestPersistence: false, encryption: { database: encrypted }, ...first.idb });
    open.push(first.vault, second);
    await first.vault.table('Sales.Order').put({ id: 'o1', Number: 1 });
    const notes = async () => {
      for (let i = 0; i < 20; i++) await first.vault.table('Sales.Order').update('o1', { Note: `n${i}` });
    };
    const statuses = async () => {
      for (let i = 0; i < 20; i++) await second.table('Sales.Order').update('o1', { Status: i % 2 === 0 ? 'Open' : 'Paid', TotalPrice: i });
    };
    await Promise.all([notes(), statuses()]);
    expect(await second.table('Sales.Order').get('o1')).toMatchObject({ Number: 1, Status: 'Paid', TotalPrice: '19', Note: 'n19' });
  });
});
