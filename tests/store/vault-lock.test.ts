import { IDBObjectStore } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LockedError } from '../../src/core/errors.js';
import type { Vault } from '../../src/store/index.js';
import { openTestVault } from '../helpers/open-test-vault.js';
import { keyringNames, rejection, seedCustomers } from '../helpers/lifecycle-fixture.js';

const vaults: Vault[] = [];
afterEach(() => {
  for (const v of vaults.splice(0)) v.close();
});
const track = (v: Vault): Vault => (vaults.push(v), v);

describe('lock', () => {
  const calls: [string, (v: Vault) => Promise<unknown>][] = [
    ['get', (v) => v.table('Sales.Customer').get('c1')],
    ['put', (v) => v.table('Sales.Customer').put({ id: 'c9', Name: 'X' })],
    ['where', (v) => v.table('Sales.Customer').where('City').equals('Delft').toArray()],
    ['query', (v) => v.query('Sales.Customer', "[City = 'Delft']")],
    ['outbox', (v) => v.outbox()],
    ['sync', (v) => v.sync()],
    ['syncErrors', (v) => v.syncErrors()],
    ['files.get', (v) => v.files.get('c1')],
    ['verifyEncryption', (v) => v.verifyEncryption()],
  ];

  it.each(calls)('makes %s throw LockedError until unlock (device level)', async (_name, call) => {
    const { vault } = await openTestVault();
    track(vault);
    await seedCustomers(vault, 2);
    const events: unknown[] = [];
    vault.on('locked', (e) => events.push(e));
    vault.lock();
    expect(vault.locked).toBe(true);
    expect(events).toEqual([{ reason: 'lock' }]);
    const error = await rejection(Promise.resolve().then(() => call(vault)));
    expect(error).toBeInstanceOf(LockedError);
    expect(error).toMatchObject({ code: 'locked' });
    await vault.unlock();
    expect(vault.locked).toBe(false);
    expect(await vault.table('Sales.Customer').get('c1')).toMatchObject({ Name: 'Name 1' });
  });

  it('locks after lockAfterIdleMs without calls and says so with a locked event', async () => {
    // Only the idle timer's clock is faked; IndexedDB (setImmediate) runs for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { vault } = await openTestVault({ lockAfterIdleMs: 60_000 });
      track(vault);
      await seedCustomers(vault, 1);
      const events: unknown[] = [];
      vault.on('locked', (e) => events.push(e));
      vi.advanceTimersByTime(59_000);
      expect(await vault.table('Sales.Customer').get('c0')).toMatchObject({ Name: 'Name 0' }); // a call: idle again from here
      vi.advanceTimersByTime(59_000);
      expect([vault.locked, events]).toEqual([false, []]);
      vi.advanceTimersByTime(1_000);
      expect([vault.locked, events]).toEqual([true, [{ reason: 'idle' }]]);
      expect(await rejection(vault.table('Sales.Customer').get('c0'))).toBeInstanceOf(LockedError);
      await vault.unlock();
      expect(await vault.table('Sales.Customer').get('c0')).toMatchObject({ Name: 'Name 0' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a browser that cannot store CryptoKeys', () => {
  const original = IDBObjectStore.prototype.put;
  beforeEach(() => {
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const value = args[0] as { key?: unknown } | undefined;
      if (value?.key instanceof CryptoKey) throw new DOMException('CryptoKey cannot be cloned here', 'DataCloneError');
      return original.apply(this, args);
    };
  });
  afterEach(() => {
    IDBObjectStore.prototype.put = original;
  });

  it('refuses enableEncryption with StorageError keys-not-storable and leaves the vault as it was', async () => {
    const { vault, idb } = await openTestVault({ encryption: { database: false } });
    track(vault);
    await seedCustomers(vault, 3);
    const error = await rejection(vault.enableEncryption());
    expect(error).toMatchObject({ name: 'StorageError', code: 'keys-not-storable' });
    expect([vault.encrypted, vault.securityLevel, vault.reencryption()]).toEqual([false, 'none', null]);
    expect(await keyringNames(idb)).toEqual([]);
    expect(await vault.table('Sales.Customer').count()).toBe(3);
  });

  it.each([
    { call: 'rotateKeys', run: (v: Vault) => v.rotateKeys() },
    { call: 'setProtection', run: (v: Vault) => v.setProtection({ level: 'passphrase', passphrase: 'x' }) },
  ])('refuses $call on memory-only keys (StorageError ephemeral-keys)', async ({ run }) => {
    const { vault } = await openTestVault();
    track(vault);
    expect(vault.securityLevel).toBe('ephemeral');
    expect(await rejection(run(vault))).toMatchObject({ name: 'StorageError', code: 'ephemeral-keys' });
  });

  it('ignores lock() on memory-only keys: dropping them would destroy the data, so the vault stays readable', async () => {
    const { vault } = await openTestVault();
    track(vault);
    await seedCustomers(vault, 1);
    const events: unknown[] = [];
    vault.on('locked', (e) => events.push(e));
    vault.lock();
    expect(vault.locked).toBe(false);
    expect(events).toEqual([]);
    expect(await vault.table('Sales.Customer').count()).toBe(1);
  });
});
