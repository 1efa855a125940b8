// Issue 6, passphrase level in Chromium with a persistent profile: a wrong passphrase is refused
// with BadCredentialsError and writes nothing; changePassphrase rewraps the keys only, leaving
// every data envelope byte-identical.
import { expect, test, type Page } from '@playwright/test';
import { snapshotRawDatabase } from './raw-idb.js';
import { LIFECYCLE_APP, NOTE, USER, useLifecycleHost } from './lifecycle-host.js';
import { launchProfile, useProfileDir } from './lifecycle-profile.js';

const host = useLifecycleHost({ hostname: '127.0.0.1' });
const profileDir = useProfileDir();

const VAULT = 'pass';
const DB = `offline-vault/${VAULT}`;
const FIRST = 'correct horse battery staple';
const SECOND = 'tr0ub4dor & 3, but longer';

type Outcome = { texts?: string[]; error?: { name: string; code: string }; locked?: boolean; level?: string };

/**
 * Runs one step on the page's vault and reports the note texts (sorted), or the error's name and
 * code, with the lock state. Steps: open (with an optional passphrase), unlock, lock, read,
 * change (current -> next), protect (device -> passphrase).
 */
function step(page: Page, action: 'open' | 'unlock' | 'lock' | 'read' | 'change' | 'protect', passphrase?: string, next?: string): Promise<Outcome> {
  return page.evaluate(
    async ({ spec, name, entity, action, passphrase, next }) => {
      const w = window as unknown as { passVault?: import('offline-vault').Vault };
      try {
        if (action === 'open') {
          w.passVault?.close();
          delete w.passVault;
          const unlock = passphrase === undefined ? {} : { unlock: { passphrase } };
          w.passVault = await window.ov.openVault({ name, app: window.ov.defineApp(spec), ...unlock });
        }
        const vault = w.passVault!;
        if (action === 'unlock') await vault.unlock({ passphrase: passphrase! });
        if (action === 'lock') vault.lock();
        if (action === 'change') await vault.changePassphrase({ current: passphrase!, next: next! });
        if (action === 'protect') await vault.setProtection({ level: 'passphrase', passphrase: passphrase! });
        const texts = vault.locked && action !== 'read' ? undefined : (await vault.table(entity).toArray()).map((o) => String(o['Text'])).sort();
        return { ...(texts === undefined ? {} : { texts }), locked: vault.locked, level: vault.securityLevel };
      } catch (e) {
        const error = e as { name: string; code?: unknown };
        const vault = w.passVault;
        return { error: { name: error.name, code: String(error.code) }, ...(vault === undefined ? {} : { locked: vault.locked, level: vault.securityLevel }) };
      }
    },
    { spec: LIFECYCLE_APP, name: VAULT, entity: NOTE, action, passphrase, next },
  );
}

/** A passphrase-protected vault with notes (created, updated, deleted: every outbox shape) in a fresh profile. */
async function protectedVault(page: Page): Promise<string[]> {
  expect(await step(page, 'open')).toMatchObject({ level: 'device', locked: false });
  const texts = await page.evaluate(
    async ({ entity, owner }) => {
      const vault = (window as unknown as { passVault: import('offline-vault').Vault }).passVault;
      const table = vault.table(entity);
      const ids = await table.bulkPut(Array.from({ length: 30 }, (_, i) => ({ Text: `secret ${i}`, Owner: owner, Tag: `t${i % 4}`, N: i })));
      await table.update(ids[0]!, { Text: 'secret changed' });
      await table.delete(ids[1]!);
      return (await table.toArray()).map((o) => String(o['Text'])).sort();
    },
    { entity: NOTE, owner: USER },
  );
  expect(await step(page, 'protect', FIRST)).toEqual({ texts, locked: false, level: 'passphrase' });
  return texts;
}

const wrong = { error: { name: 'BadCredentialsError', code: 'bad-credentials' } };
const locked = { locked: true, level: 'passphrase' };

test('after a restart a wrong passphrase is refused with BadCredentialsError, reads stay locked, nothing is written; the right one reads', async () => {
  const dir = profileDir();
  const first = await launchProfile(dir, host().origin);
  const texts = await protectedVault(first.page);
  await first.context.close();

  const second = await launchProfile(dir, host().origin);
  try {
    const page = second.page;
    const before = await page.evaluate(snapshotRawDatabase, [DB, []] as [string, string[]]);
    expect(await step(page, 'open', 'correct horse battery stapl')).toEqual(wrong);
    expect(await step(page, 'open')).toEqual(locked);
    expect(await step(page, 'read')).toEqual({ error: { name: 'LockedError', code: 'locked' }, ...locked });
    expect(await step(page, 'unlock', `${FIRST} `)).toEqual({ ...wrong, ...locked });
    expect(await step(page, 'unlock', FIRST.toUpperCase())).toEqual({ ...wrong, ...locked });
    expect(await page.evaluate(snapshotRawDatabase, [DB, []] as [string, string[]])).toEqual(before);

    expect(await step(page, 'unlock', FIRST)).toEqual({ texts, locked: false, level: 'passphrase' });
    expect(await step(page, 'open', FIRST)).toEqual({ texts, locked: false, level: 'passphrase' });
  } finally {
    await second.context.close();
  }
});

test('changePassphrase leaves every data envelope and data-key row byte-identical; only the old passphrase stops working', async () => {
  const dir = profileDir();
  const first = await launchProfile(dir, host().origin);
  const texts = await protectedVault(first.page);
  const page = first.page;
  const before = await page.evaluate(snapshotRawDatabase, [DB, []] as [string, string[]]);

  expect(await step(page, 'change', 'not the passphrase', SECOND)).toEqual({ ...wrong, locked: false, level: 'passphrase' });
  expect(await page.evaluate(snapshotRawDatabase, [DB, []] as [string, string[]])).toEqual(before);
  expect(await step(page, 'change', FIRST, SECOND)).toEqual({ texts, locked: false, level: 'passphrase' });
  const after = await page.evaluate(snapshotRawDatabase, [DB, []] as [string, string[]]);

  // Every store but the keyring and _meta byte-identical (records, outbox, sync state, files).
  const dataStores = Object.keys(before).filter((s) => s !== '_keyring' && s !== '_meta');
  expect(dataStores).toEqual(expect.arrayContaining([NOTE, '_outbox']));
  for (const store of dataStores) expect(after[store], store).toBe(before[store]);
  expect(JSON.parse(before[NOTE]!)).toHaveLength(texts.length);
  // In the keyring only the slot row changed (new salt, new wrapped master key); data keys are the same bytes.
  const rows = (snapshot: Record<string, string>, store: string) => new Map(JSON.parse(snapshot[store]!) as [string, unknown][]);
  const keyringBefore = rows(before, '_keyring');
  const keyringAfter = rows(after, '_keyring');
  expect([...keyringAfter.keys()]).toEqual([...keyringBefore.keys()]);
  const changed = [...keyringBefore.keys()].filter((name) => JSON.stringify(keyringBefore.get(name)) !== JSON.stringify(keyringAfter.get(name)));
  expect(changed).toEqual(['slot:1']);
  expect(keyringBefore.size).toBeGreaterThan(2);
  // In _meta only the vault row (its epoch) may change.
  const metaBefore = rows(before, '_meta');
  const metaAfter = rows(after, '_meta');
  expect([...metaAfter.keys()]).toEqual([...metaBefore.keys()]);
  for (const name of metaBefore.keys()) if (name !== 'vault') expect(metaAfter.get(name), name).toEqual(metaBefore.get(name));

  expect(await step(page, 'lock')).toEqual(locked);
  expect(await step(page, 'unlock', FIRST)).toEqual({ ...wrong, ...locked });
  expect(await step(page, 'unlock', SECOND)).toEqual({ texts, locked: false, level: 'passphrase' });
  await first.context.close();

  const second = await launchProfile(dir, host().origin);
  try {
    expect(await step(second.page, 'open', FIRST)).toEqual(wrong);
    expect(await step(second.page, 'open', SECOND)).toEqual({ texts, locked: false, level: 'passphrase' });
  } finally {
    await second.context.close();
  }
});
