import { afterEach, describe, expect, it } from 'vitest';
import { envelopeKeyId } from '../../src/crypto/index.js';
import { openVault, type Vault } from '../../src/store/index.js';
import { openTestVault, rawRows, salesApp } from '../helpers/open-test-vault.js';

let vault: Vault | undefined;
const realDecrypt = crypto.subtle.decrypt;
afterEach(() => {
  (crypto.subtle as { decrypt: typeof realDecrypt }).decrypt = realDecrypt;
  vault?.close();
});

/** Holds the next decrypt call until `release()`: a write is then sealed but not yet committed. */
function gateNextDecrypt(): { reached: Promise<void>; release(): void } {
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const hit = new Promise<void>((r) => (reached = r));
  let armed = true;
  (crypto.subtle as { decrypt: typeof realDecrypt }).decrypt = async function (this: SubtleCrypto, ...args: Parameters<typeof realDecrypt>) {
    if (armed) {
      armed = false;
      reached();
      await gate;
    }
    return realDecrypt.apply(crypto.subtle, args);
  } as typeof realDecrypt;
  return { reached: hit, release };
}

describe('a write sealed before a rotation ended', () => {
  it('is sealed again with the new key instead of landing under the deleted one', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    const customers = vault.table('Sales.Customer');
    await customers.put({ id: 'c1', Name: 'v1' });
    const gate = gateNextDecrypt();
    // An update: the put is sealed with key 1, then the prior row is read and decrypted (held).
    const writing = customers.put({ id: 'c1', Name: 'v2' });
    await gate.reached;
    await vault.rotateKeys();
    gate.release();
    await writing;

    expect(await customers.get('c1')).toMatchObject({ Name: 'v2' });
    const rows = (await rawRows(opened.idb.indexedDB, 'offline-vault/test', 'Sales.Customer')) as { e: Uint8Array }[];
    expect(rows.map((r) => envelopeKeyId(r.e))).toEqual([2]);
    const keyring = (await rawRows(opened.idb.indexedDB, 'offline-vault/test', '_keyring')) as { name: string }[];
    expect(keyring.map((r) => r.name)).not.toContain('record:1');
  });
});

describe('a tab that has not heard of a rotation', () => {
  it('reloads its keys when it meets a newer generation instead of reporting tampering', async () => {
    const opened = await openTestVault();
    vault = opened.vault;
    await vault.table('Sales.Customer').bulkPut([{ id: 'c1', Name: 'Ada' }, { id: 'c2', Name: 'Bob' }]);
    // The second "tab" gets no BroadcastChannel, so it never hears of the rotation.
    const channel = globalThis.BroadcastChannel;
    (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;
    let deaf: Vault | undefined;
    try {
      deaf = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...opened.idb });
    } finally {
      globalThis.BroadcastChannel = channel;
    }
    try {
      await vault.rotateKeys();
      expect(await deaf.table('Sales.Customer').get('c1')).toMatchObject({ Name: 'Ada' });
      await deaf.table('Sales.Customer').put({ id: 'c3', Name: 'Cy' });
      const rows = (await rawRows(opened.idb.indexedDB, 'offline-vault/test', 'Sales.Customer')) as { e: Uint8Array }[];
      expect(rows.map((r) => envelopeKeyId(r.e))).toEqual([2, 2, 2]);
    } finally {
      deaf.close();
    }
  });
});
