// Issue 6, passkey level, with CDP virtual authenticators (e2e/store/virtual-authenticator.ts) on
// http://localhost:<port>/ (WebAuthn needs a domain RP ID): unlock after a browser restart with the
// credentials restored, a second credential that does not open another credential's slot, and an
// authenticator without PRF refused with the vault left as it was.
import { expect, test, type Page } from '@playwright/test';
import { snapshotRawDatabase } from './raw-idb.js';
import { LIFECYCLE_APP, NOTE, USER, useLifecycleHost } from './lifecycle-host.js';
import { launchProfile, useProfileDir } from './lifecycle-profile.js';
import { rawKeyringNames, rawSlotCredentials, readRawMeta, setRawSlotCredential } from './lifecycle-raw.js';
import { addVirtualAuthenticator, restoreCredentials, saveCredentials, type SavedCredential } from './virtual-authenticator.js';

const host = useLifecycleHost({ hostname: 'localhost' });
const profileDir = useProfileDir();
const db = (vault: string) => `offline-vault/${vault}`;

const notesOf = (vault: string) => Array.from({ length: 20 }, (_, i) => ({ Text: `${vault} ${i}`, Owner: USER, Tag: `t${i % 3}`, N: i }));

/** Opens vault `name` (rpId localhost) into the page's `vaults[name]`; the page may hold several. */
function openPasskeyVault(page: Page, name: string): Promise<{ level: string; locked: boolean }> {
  return page.evaluate(
    async ({ spec, name }) => {
      const w = window as unknown as { vaults?: Record<string, import('offline-vault').Vault> };
      w.vaults ??= {};
      const vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec), passkey: { rpId: 'localhost', userName: name } });
      w.vaults[name] = vault;
      return { level: vault.securityLevel, locked: vault.locked };
    },
    { spec: LIFECYCLE_APP, name },
  );
}

/** Runs `action` on vault `name` in the page: resolves with the sorted note texts, or the error's name and code. */
function onVault(page: Page, name: string, action: 'read' | 'unlock' | 'lock' | 'protect' | 'add-passkey'): Promise<{ texts?: string[]; error?: { name: string; code: string }; locked: boolean; level: string }> {
  return page.evaluate(
    async ({ name, action, entity }) => {
      const vault = (window as unknown as { vaults: Record<string, import('offline-vault').Vault> }).vaults[name]!;
      try {
        if (action === 'unlock') await vault.unlock({ passkey: true });
        if (action === 'lock') vault.lock();
        if (action === 'protect') await vault.setProtection({ level: 'passkey' });
        if (action === 'add-passkey') await vault.addUnlockMethod({ level: 'passkey' }, { current: { passkey: true } });
        const texts = action === 'lock' ? undefined : (await vault.table(entity).toArray()).map((o) => String(o['Text'])).sort();
        return { ...(texts === undefined ? {} : { texts }), locked: vault.locked, level: vault.securityLevel };
      } catch (e) {
        const error = e as { name: string; code?: unknown };
        return { error: { name: error.name, code: String(error.code) }, locked: vault.locked, level: vault.securityLevel };
      }
    },
    { name, action, entity: NOTE },
  );
}

async function writeNotes(page: Page, name: string): Promise<string[]> {
  const notes = notesOf(name);
  await page.evaluate(
    async ({ name, entity, notes }) => {
      await (window as unknown as { vaults: Record<string, import('offline-vault').Vault> }).vaults[name]!.table(entity).bulkPut(notes);
    },
    { name, entity: NOTE, notes },
  );
  return notes.map((n) => n.Text).sort();
}

const hexOf = (credential: SavedCredential) => Buffer.from(credential.credentialId, 'base64').toString('hex');

test('a passkey-protected vault opens locked after a browser restart and unlocks with either of its two restored passkeys', async () => {
  const dir = profileDir();
  const first = await launchProfile(dir, host().origin);
  const authenticator = await addVirtualAuthenticator(first.page, { prf: true, restorable: true });
  expect(await openPasskeyVault(first.page, 'restart')).toEqual({ level: 'device', locked: false });
  const texts = await writeNotes(first.page, 'restart');
  expect(await onVault(first.page, 'restart', 'protect')).toEqual({ texts, locked: false, level: 'passkey' });
  expect(await onVault(first.page, 'restart', 'add-passkey')).toEqual({ texts, locked: false, level: 'passkey' });
  const slots = await first.page.evaluate(rawSlotCredentials, db('restart'));
  // Through JSON, as credentials kept in a file between browser processes would be.
  const saved = JSON.parse(JSON.stringify(await saveCredentials(authenticator))) as SavedCredential[];
  await first.context.close();

  expect(Object.keys(slots).sort()).toEqual(['slot:1', 'slot:2']);
  expect(slots['slot:1']).not.toBe(slots['slot:2']);
  const credentialOf = (slot: string) => saved.filter((c) => hexOf(c) === slots[slot]);
  expect(credentialOf('slot:1')).toHaveLength(1);
  expect(credentialOf('slot:2')).toHaveLength(1);

  const second = await launchProfile(dir, host().origin);
  try {
    const page = second.page;
    const restored = await addVirtualAuthenticator(page, { prf: true, restorable: true });
    await restoreCredentials(restored, credentialOf('slot:1'));
    expect(await openPasskeyVault(page, 'restart')).toEqual({ level: 'passkey', locked: true });
    expect(await onVault(page, 'restart', 'read')).toEqual({ error: { name: 'LockedError', code: 'locked' }, locked: true, level: 'passkey' });
    expect(await onVault(page, 'restart', 'unlock')).toEqual({ texts, locked: false, level: 'passkey' });
    expect(await onVault(page, 'restart', 'lock')).toEqual({ locked: true, level: 'passkey' });

    // Only the second passkey now: it opens slot 2, which wraps the same keys.
    const other = await addVirtualAuthenticator(page, { prf: true, restorable: true });
    await restoreCredentials(other, credentialOf('slot:2'));
    expect(await onVault(page, 'restart', 'unlock')).toEqual({ texts, locked: false, level: 'passkey' });

    // An authenticator holding none of its credentials unlocks nothing (Chromium answers NotAllowedError,
    // as for a cancelled prompt).
    expect(await onVault(page, 'restart', 'lock')).toEqual({ locked: true, level: 'passkey' });
    await addVirtualAuthenticator(page, { prf: true, restorable: true });
    expect(await onVault(page, 'restart', 'unlock')).toEqual({ error: { name: 'BadCredentialsError', code: 'passkey-cancelled' }, locked: true, level: 'passkey' });
  } finally {
    await second.context.close();
  }
});

test("a second credential gives a different key: put in place of a slot's credential it does not unlock, and nothing is written", async () => {
  const dir = profileDir();
  const browser = await launchProfile(dir, host().origin);
  try {
    const page = browser.page;
    await addVirtualAuthenticator(page, { prf: true });
    const texts: Record<string, string[]> = {};
    for (const name of ['alpha', 'beta']) {
      await openPasskeyVault(page, name);
      texts[name] = await writeNotes(page, name);
      expect(await onVault(page, name, 'protect')).toMatchObject({ level: 'passkey', locked: false });
      expect(await onVault(page, name, 'lock')).toEqual({ locked: true, level: 'passkey' });
    }
    const alphaSlot = (await page.evaluate(rawSlotCredentials, db('alpha')))['slot:1']!;
    const betaSlot = (await page.evaluate(rawSlotCredentials, db('beta')))['slot:1']!;
    expect(alphaSlot).not.toBe(betaSlot);
    const before = await page.evaluate(snapshotRawDatabase, [db('alpha'), []] as [string, string[]]);

    // alpha's slot now names beta's credential (alpha's salt and wrapped key unchanged): the
    // authenticator answers with beta's PRF output, which does not unwrap alpha's key.
    expect(await page.evaluate(setRawSlotCredential, [db('alpha'), 'slot:1', null, db('beta')] as [string, string, string | null, string | null])).toBe(alphaSlot);
    const tampered = await page.evaluate(snapshotRawDatabase, [db('alpha'), []] as [string, string[]]);
    expect(await onVault(page, 'alpha', 'unlock')).toEqual({ error: { name: 'BadCredentialsError', code: 'bad-credentials' }, locked: true, level: 'passkey' });
    expect(await onVault(page, 'alpha', 'read')).toMatchObject({ error: { name: 'LockedError' }, locked: true });
    expect(await page.evaluate(snapshotRawDatabase, [db('alpha'), []] as [string, string[]])).toEqual(tampered);

    // Back to its own credential, alpha unlocks; beta unlocks with its own.
    await page.evaluate(setRawSlotCredential, [db('alpha'), 'slot:1', alphaSlot, null] as [string, string, string | null, string | null]);
    expect(await page.evaluate(snapshotRawDatabase, [db('alpha'), []] as [string, string[]])).toEqual(before);
    expect(await onVault(page, 'alpha', 'unlock')).toEqual({ texts: texts['alpha'], locked: false, level: 'passkey' });
    expect(await onVault(page, 'beta', 'unlock')).toEqual({ texts: texts['beta'], locked: false, level: 'passkey' });
  } finally {
    await browser.context.close();
  }
});

test('an authenticator without PRF is refused with PrfUnsupportedError: the vault stays at device level, readable, keys unchanged', async () => {
  const dir = profileDir();
  const browser = await launchProfile(dir, host().origin);
  try {
    const page = browser.page;
    await addVirtualAuthenticator(page, { prf: false });
    expect(await openPasskeyVault(page, 'no-prf')).toEqual({ level: 'device', locked: false });
    const texts = await writeNotes(page, 'no-prf');
    const keysBefore = await page.evaluate(rawKeyringNames, db('no-prf'));
    const rowsBefore = await page.evaluate(snapshotRawDatabase, [db('no-prf'), ['_keyring']] as [string, string[]]);

    expect(await onVault(page, 'no-prf', 'protect')).toEqual({ error: { name: 'PrfUnsupportedError', code: 'prf-unsupported' }, locked: false, level: 'device' });
    expect(await onVault(page, 'no-prf', 'read')).toEqual({ texts, locked: false, level: 'device' });
    expect(await page.evaluate(readRawMeta, db('no-prf'))).toEqual({ encrypted: true, level: 'device', primary: 1, rekey: null });
    expect(await page.evaluate(rawKeyringNames, db('no-prf'))).toEqual(keysBefore);
    expect(await page.evaluate(snapshotRawDatabase, [db('no-prf'), ['_keyring']] as [string, string[]])).toEqual(rowsBefore);

    // Reopened: still device level, no unlock needed.
    await page.evaluate(() => (window as unknown as { vaults: Record<string, import('offline-vault').Vault> }).vaults['no-prf']!.close());
    expect(await openPasskeyVault(page, 'no-prf')).toEqual({ level: 'device', locked: false });
    expect(await onVault(page, 'no-prf', 'read')).toEqual({ texts, locked: false, level: 'device' });
  } finally {
    await browser.context.close();
  }
});
