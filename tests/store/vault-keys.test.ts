import type Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError } from '../../src/core/errors.js';
import type { Vault } from '../../src/store/index.js';
import { loadOrCreateKeys } from '../../src/store/keyring-store.js';
import { createVaultDatabase, KEYRING_STORE, META_STORE } from '../../src/store/vault-database.js';
import { createVaultKeys } from '../../src/store/vault-keys.js';
import { allKeyIds, eventually, rejection, reopen, seedCustomers } from '../helpers/lifecycle-fixture.js';
import { freshIndexedDb, openTestVault, salesApp } from '../helpers/open-test-vault.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function keysOn(): Promise<{ db: Dexie; keys: ReturnType<typeof createVaultKeys> }> {
  const db = createVaultDatabase('keys', salesApp, freshIndexedDb());
  await db.open();
  closers.push(() => db.close());
  return { db, keys: createVaultKeys(db, await loadOrCreateKeys(db, salesApp, true)) };
}

describe('VaultKeys.reload', () => {
  it('does not undo a key change this tab committed and installed while the reload was reading', async () => {
    const { db, keys } = await keysOn();
    const next = { ...keys.meta, epoch: 99 };
    const reloading = keys.reload(); // reads the meta row first...
    // ...then this commit (as key-lifecycle does) blocks its keyring read until it is written.
    await db.transaction('rw', [META_STORE, KEYRING_STORE], async () => {
      await db.table(META_STORE).put(next);
      await db.table(KEYRING_STORE).put({ name: 'budget:record:1', inv: 0, blk: 0 });
    });
    keys.install({ meta: next, slots: [], material: keys.material() });
    await reloading;
    expect(keys.meta.epoch).toBe(99);
  });

  it('keeps a locked device-level vault locked; only { unlock: true } reads the stored keys again', async () => {
    const { keys } = await keysOn();
    keys.lock();
    await keys.reload();
    expect(keys.locked).toBe(true);
    expect(() => keys.keySet()).toThrow(LockedError);
    await keys.reload({ unlock: true });
    expect(keys.locked).toBe(false);
    expect(keys.keySet().record.primary.keyId).toBe(1);
  });

  it('does not unlock when lock() comes while the reload reads', async () => {
    const { keys } = await keysOn();
    const reloading = keys.reload({ unlock: true });
    keys.lock();
    await reloading;
    expect(keys.locked).toBe(true);
  });
});

describe('two tabs of one vault', () => {
  it('an unlocked tab seals with the generation another tab rotated to; a locked one stays locked', async () => {
    const { vault: a, idb } = await openTestVault();
    closers.push(() => a.close());
    await seedCustomers(a, 4);
    const b: Vault = await reopen(idb);
    const c: Vault = await reopen(idb);
    closers.push(() => b.close(), () => c.close());
    c.lock();
    await a.rotateKeys();
    await eventually(async () => (await allKeyIds(a)).join() === '2');
    await b.table('Sales.Customer').put({ id: 'from-b', Name: 'B' });
    expect(await allKeyIds(a)).toEqual([2]);
    expect(await a.table('Sales.Customer').get('from-b')).toMatchObject({ Name: 'B' });
    expect(c.locked).toBe(true);
    expect(await rejection(c.table('Sales.Customer').get('c1'))).toBeInstanceOf(LockedError);
    await c.unlock();
    expect(await c.table('Sales.Customer').get('from-b')).toMatchObject({ Name: 'B' });
  });
});

describe('a re-encryption two tabs run at once (no Web Locks here)', () => {
  it('ends once: the tab that did not finish it sees it ended, goes on with its own rotation, and nothing pauses', async () => {
    const { vault: a, idb } = await openTestVault({ reencryptBatchSize: 4 });
    closers.push(() => a.close());
    await seedCustomers(a, 30);
    const b: Vault = await reopen(idb, { reencryptBatchSize: 4 });
    closers.push(() => b.close());
    let second: Promise<void> | undefined;
    await a.rotateKeys({
      onProgress: () => {
        second ??= (async () => {
          await eventually(() => b.reencryption() !== null);
          await b.rotateKeys(); // joins the running job in tab b, then rotates again
        })();
      },
    });
    await second;
    await eventually(() => a.reencryption() === null);
    expect(await allKeyIds(a)).toEqual([3]);
    expect(await a.table('Sales.Customer').where('City').equals('Delft').count()).toBe(15);
    expect(await b.table('Sales.Customer').where('City').equals('Leiden').count()).toBe(15);
  });
});
