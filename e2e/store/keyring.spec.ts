import { expect, test } from '../fixtures.js';
import { NOTES_APP } from './notes-app.js';
import { clearRawStore, countRawRows, snapshotRawDatabase } from './raw-idb.js';

test.describe('keyring', () => {
  test('stored keys are non-extractable CryptoKeys that crypto.subtle.exportKey refuses', async ({ harness }) => {
    const keys = await harness.evaluate(async (spec) => {
      const vault = await window.ov.openVault({ name: 'keys', app: window.ov.defineApp(spec) });
      await vault.table('Test.Note').put({ Title: 'a', Tag: 't' });
      vault.close();
      const open = indexedDB.open('offline-vault/keys');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const request = db.transaction('_keyring').objectStore('_keyring').getAll();
      const rows = await new Promise<Array<{ name: string; key: unknown }>>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      db.close();
      const out = [];
      // Usage-budget rows (`budget:record:<g>`) are counters, not keys.
      for (const row of rows.filter((r) => !r.name.startsWith('budget:'))) {
        const key = row.key;
        const isCryptoKey = key instanceof CryptoKey;
        const exports: Record<string, string> = {};
        for (const format of ['raw', 'jwk', 'pkcs8'] as const) {
          try {
            await crypto.subtle.exportKey(format, key as CryptoKey);
            exports[format] = 'resolved';
          } catch (error) {
            exports[format] = `rejected:${(error as Error).name}`;
          }
        }
        out.push({ name: row.name, isCryptoKey, extractable: isCryptoKey ? key.extractable : null, exports });
      }
      return out;
    }, NOTES_APP);

    expect(keys.map((k) => k.name)).toEqual(expect.arrayContaining(['record:1', 'file:1', 'index:Test.Note/Title', 'index:Test.Note/Tag']));
    for (const key of keys) {
      expect(key, key.name).toMatchObject({ isCryptoKey: true, extractable: false });
      for (const result of Object.values(key.exports)) expect(result, key.name).toMatch(/^rejected:/);
      expect(key.exports['raw'], key.name).toBe('rejected:InvalidAccessError');
    }
  });

  test('deleting the keyring rows makes openVault reject with KeyLostError and leaves every ciphertext row untouched', async ({ harness }) => {
    await harness.evaluate(async (spec) => {
      const vault = await window.ov.openVault({ name: 'lost', app: window.ov.defineApp(spec) });
      const notes = vault.table('Test.Note');
      const ids = await notes.bulkPut(Array.from({ length: 20 }, (_, i) => ({ Title: `note ${i}`, Tag: 'x', Count: i })));
      await notes.update(ids[0]!, { Body: 'changed' });
      await notes.delete(ids[1]!);
      vault.close();
    }, NOTES_APP);
    const before = await harness.evaluate(snapshotRawDatabase, ['offline-vault/lost', ['_keyring']] as [string, string[]]);
    const deleted = await harness.evaluate(clearRawStore, ['offline-vault/lost', '_keyring'] as [string, string]);
    expect(deleted).toBeGreaterThan(0);

    const outcome = await harness.evaluate(async (spec) => {
      try {
        const vault = await window.ov.openVault({ name: 'lost', app: window.ov.defineApp(spec) });
        vault.close();
        return { opened: true };
      } catch (error) {
        const e = error as { name?: string; code?: string; isVaultError?: boolean };
        return { opened: false, name: e.name, code: e.code, isVaultError: e.isVaultError, isKeyLost: error instanceof window.ov.KeyLostError };
      }
    }, NOTES_APP);
    const after = await harness.evaluate(snapshotRawDatabase, ['offline-vault/lost', ['_keyring']] as [string, string[]]);
    const counts = await harness.evaluate(countRawRows, 'offline-vault/lost');

    expect(outcome).toMatchObject({ opened: false, name: 'KeyLostError', isVaultError: true, isKeyLost: true });
    expect(outcome.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['Test.Note', '_outbox', '_meta']));
    expect(before['Test.Note']).toContain('Uint8Array:');
    expect(after).toEqual(before);
    expect(counts['_keyring']).toBe(0); // no fresh keys over existing ciphertext
  });
});
