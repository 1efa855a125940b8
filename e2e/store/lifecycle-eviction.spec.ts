// Issue 6, sign-out and lost keys in Chromium with a persistent profile: after signOut() the
// origin lists none of the vault's databases (also after a restart); with the key store deleted a
// reopen raises KeyLostError and leaves every ciphertext row as it was.
import { expect, test, type Page } from '@playwright/test';
import { clearRawStore, countRawRows, snapshotRawDatabase } from './raw-idb.js';
import { LIFECYCLE_APP, NOTE, USER, useLifecycleHost } from './lifecycle-host.js';
import { launchProfile, useProfileDir } from './lifecycle-profile.js';
import { listDatabases } from './lifecycle-raw.js';

const host = useLifecycleHost({ hostname: '127.0.0.1' });
const profileDir = useProfileDir();
const PASSPHRASE = 'a long enough passphrase';

/** Opens device-level vault `name`, writes notes and a photo, protects it with PASSPHRASE when asked; returns the note ids. */
function writeVault(page: Page, name: string, options: { protect?: boolean; close?: boolean } = {}): Promise<string[]> {
  return page.evaluate(
    async ({ spec, name, entity, owner, protect, passphrase, close }) => {
      const vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec) });
      const notes = vault.table(entity);
      const ids = await notes.bulkPut(Array.from({ length: 25 }, (_, i) => ({ Text: `${name} ${i}`, Owner: owner, Tag: `t${i % 3}`, N: i })));
      await notes.update(ids[0]!, { Text: 'changed' });
      await notes.delete(ids[1]!);
      const photo = await vault.table('Life.Photo').put({ Name: 'receipt' });
      await vault.files.put('Life.Photo', photo, new Blob([new Uint8Array(70_000).fill(7)], { type: 'application/octet-stream' }));
      if (protect) await vault.setProtection({ level: 'passphrase', passphrase });
      if (close) vault.close();
      else (window as unknown as { evictVault: unknown }).evictVault = vault;
      return ids;
    },
    { spec: LIFECYCLE_APP, name, entity: NOTE, owner: USER, protect: options.protect === true, passphrase: PASSPHRASE, close: options.close === true },
  );
}

test('after signOut() indexedDB.databases() lists none of the vault databases, also after a restart; unsynced changes are refused first', async () => {
  const dir = profileDir();
  const first = await launchProfile(dir, host().origin);
  const page = first.page;
  await writeVault(page, 'staying', { close: true });
  const ids = await writeVault(page, 'leaving');
  expect(await page.evaluate(listDatabases)).toEqual(expect.arrayContaining(['offline-vault/leaving', 'offline-vault/staying']));

  const outcome = await page.evaluate(async () => {
    const vault = (window as unknown as { evictVault: import('offline-vault').Vault }).evictVault;
    const refused = await vault.signOut().then(
      () => null,
      (e: { name: string; code: string }) => ({ name: e.name, code: e.code }),
    );
    const stillListed = (await indexedDB.databases()).some((d) => d.name === 'offline-vault/leaving');
    const discarded = await vault.signOut({ discardUnsynced: true });
    return { refused, stillListed, discarded: discarded.map((c) => `${c.entity}/${c.id}`).sort() };
  });
  expect(outcome.refused).toEqual({ name: 'UnsyncedChangesError', code: 'unsynced-changes' });
  expect(outcome.stillListed).toBe(true);
  // The unsynced changes were handed back before the data went: every note still there, and the photo.
  const kept = ids.filter((_, i) => i !== 1).map((id) => `${NOTE}/${id}`);
  expect(outcome.discarded).toEqual(expect.arrayContaining(kept));
  expect(outcome.discarded.filter((c) => c.startsWith('Life.Photo/'))).toHaveLength(1);

  const vaultDatabases = (names: string[]) => names.filter((n) => n.startsWith('offline-vault/leaving'));
  const listed = await page.evaluate(listDatabases);
  expect(vaultDatabases(listed)).toEqual([]);
  expect(listed).toContain('offline-vault/staying');
  await first.context.close();

  const second = await launchProfile(dir, host().origin);
  try {
    const again = await second.page.evaluate(listDatabases);
    expect(vaultDatabases(again)).toEqual([]);
    expect(again).toContain('offline-vault/staying');
  } finally {
    await second.context.close();
  }
});

const levels = [
  { level: 'device', protect: false, unlock: {} },
  { level: 'passphrase', protect: true, unlock: { unlock: { passphrase: PASSPHRASE } } },
] as const;

for (const { level, protect, unlock } of levels) {
  test(`at ${level} level, with the key store deleted, reopening raises KeyLostError and leaves the ciphertext unchanged`, async () => {
    const dir = profileDir();
    const name = `lost-${level}`;
    const db = `offline-vault/${name}`;
    const first = await launchProfile(dir, host().origin);
    await writeVault(first.page, name, { protect, close: true });
    await first.context.close();

    const second = await launchProfile(dir, host().origin);
    try {
      const page = second.page;
      const before = await page.evaluate(snapshotRawDatabase, [db, ['_keyring']] as [string, string[]]);
      expect(before[NOTE]).toContain('Uint8Array:');
      expect(await page.evaluate(clearRawStore, [db, '_keyring'] as [string, string])).toBeGreaterThan(0);

      const outcomes = await page.evaluate(
        async ({ spec, name, unlock }) => {
          const results = [];
          // Twice: a loss stays reported; the first failure must not have created fresh keys.
          for (let i = 0; i < 2; i++) {
            try {
              const vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec), ...unlock });
              vault.close();
              results.push({ opened: true });
            } catch (error) {
              const e = error as { name?: string; code?: string };
              results.push({ opened: false, name: e.name, code: e.code, isKeyLost: error instanceof window.ov.KeyLostError });
            }
          }
          return results;
        },
        { spec: LIFECYCLE_APP, name, unlock },
      );
      const lost = { opened: false, name: 'KeyLostError', code: 'key-lost', isKeyLost: true };
      expect(outcomes).toEqual([lost, lost]);
      expect(await page.evaluate(snapshotRawDatabase, [db, ['_keyring']] as [string, string[]])).toEqual(before);
      expect((await page.evaluate(countRawRows, db))['_keyring']).toBe(0);
    } finally {
      await second.context.close();
    }
  });
}
