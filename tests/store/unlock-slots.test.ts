import { afterEach, describe, expect, it } from 'vitest';
import { BadCredentialsError, IntegrityError, KeyLostError, LockedError, PrfUnsupportedError, ValidationError } from '../../src/core/errors.js';
import type { OpenVaultOptions, Vault } from '../../src/store/index.js';
import { FakeAuthenticator } from '../helpers/fake-authenticator.js';
import { openTestVault } from '../helpers/open-test-vault.js';
import {
  allKeyIds,
  dataSnapshot,
  deleteRaw,
  keyringNames,
  putRaw,
  raw,
  rejection,
  reopen,
  seedCustomers,
  type Idb,
} from '../helpers/lifecycle-fixture.js';

const vaults: Vault[] = [];
afterEach(() => {
  for (const v of vaults.splice(0)) v.close();
});
const track = (v: Vault): Vault => (vaults.push(v), v);
const open = async (idb: Idb, options: Partial<OpenVaultOptions> = {}) => track(await reopen(idb, options));

const PASS = 'correct horse battery';
type Row = Record<string, unknown>;

/** A device vault with 6 customers, moved to `protect` (or left at device level). */
async function vaultWith(options: Partial<OpenVaultOptions> = {}, protect?: Parameters<Vault['setProtection']>[0]): Promise<{ vault: Vault; idb: Idb }> {
  const { vault, idb } = await openTestVault(options);
  track(vault);
  await seedCustomers(vault, 6);
  if (protect !== undefined) await vault.setProtection(protect);
  return { vault, idb };
}

const dataKeyRows = (rows: Row[]) => rows.filter((r) => /^(record|file|index):/.test(String(r['name'])));

async function expectReadable(vault: Vault): Promise<void> {
  expect(vault.locked).toBe(false);
  expect(await vault.table('Sales.Customer').get('c4')).toMatchObject({ Name: 'Name 4', City: 'Delft' });
  expect(await vault.table('Sales.Customer').where('City').equals('Leiden').count()).toBe(3);
}

describe('passphrase protection', () => {
  it('keeps only wrapped keys in _keyring, one passphrase slot at 600,000 iterations, and the data readable', async () => {
    const { vault, idb } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    expect([vault.securityLevel, vault.locked, vault.reencryption()]).toEqual(['passphrase', false, null]);
    const keyring = await raw(idb, '_keyring');
    expect(keyring.filter((r) => r['key'] !== undefined)).toEqual([]);
    const data = dataKeyRows(keyring);
    expect(data.length).toBeGreaterThanOrEqual(7); // record, file, 5 index keys
    for (const row of data) expect((row['wrapped'] as Uint8Array).length).toBe(66);
    const slot = keyring.find((r) => r['name'] === 'slot:1')!;
    expect(slot).toMatchObject({ id: 1, kind: 'passphrase', iterations: 600_000 });
    expect((slot['salt'] as Uint8Array).length).toBe(16);
    expect((slot['vmk'] as Uint8Array).length).toBe(66);
    expect(JSON.stringify(keyring)).not.toContain('horse');
    expect(vault.unlockMethods()).toEqual([{ id: 1, kind: 'passphrase', created: slot['created'] }]);
    await expectReadable(vault);
    expect(await allKeyIds(vault)).toEqual([2]);
    expect(await vault.verifyEncryption()).toMatchObject({ ok: true, keysNonExtractable: true });
  });

  it('opens locked; a wrong passphrase (unlock or openVault) is BadCredentialsError and reads nothing; the right one unlocks', async () => {
    const { vault, idb } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    vault.close();
    const again = await open(idb);
    expect([again.locked, again.securityLevel]).toEqual([true, 'passphrase']);
    expect(await rejection(again.table('Sales.Customer').get('c4'))).toBeInstanceOf(LockedError);
    const wrong = await rejection(again.unlock({ passphrase: 'correct horse battery!' }));
    expect(wrong).toBeInstanceOf(BadCredentialsError);
    expect(wrong).toMatchObject({ code: 'bad-credentials' });
    expect(again.locked).toBe(true);
    expect(await rejection(again.table('Sales.Customer').toArray())).toBeInstanceOf(LockedError);
    for (const bad of [undefined, {}, { passphrase: 42 }]) {
      expect(await rejection(again.unlock(bad as never))).toBeInstanceOf(ValidationError);
    }
    await again.unlock({ passphrase: PASS });
    await expectReadable(again);
    again.close();
    expect(await rejection(reopen(idb, { unlock: { passphrase: 'nope' } }))).toBeInstanceOf(BadCredentialsError);
  });

  it('lock() drops the keys until the passphrase is given again', async () => {
    const { vault } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    vault.lock();
    expect(await rejection(vault.query('Sales.Customer', "[City = 'Delft']"))).toBeInstanceOf(LockedError);
    expect(await rejection(vault.rotateKeys())).toBeInstanceOf(LockedError);
    expect(await rejection(vault.unlock())).toBeInstanceOf(ValidationError);
    await vault.unlock({ passphrase: PASS });
    await expectReadable(vault);
  });

  it('changePassphrase leaves every data envelope and wrapped data key byte-identical; the old passphrase stops working', async () => {
    const { vault, idb } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    const data = await dataSnapshot(idb);
    const keysBefore = dataKeyRows(await raw(idb, '_keyring'));
    const slotBefore = (await raw(idb, '_keyring')).find((r) => r['name'] === 'slot:1')!;
    const methods = vault.unlockMethods();
    expect(await rejection(vault.changePassphrase({ current: 'not it', next: 'x' }))).toBeInstanceOf(BadCredentialsError);
    await vault.changePassphrase({ current: PASS, next: 'tr0ub4dor & 3' });
    expect(await dataSnapshot(idb)).toEqual(data);
    expect(dataKeyRows(await raw(idb, '_keyring'))).toEqual(keysBefore);
    const slotAfter = (await raw(idb, '_keyring')).find((r) => r['name'] === 'slot:1')!;
    expect(slotAfter['salt']).not.toEqual(slotBefore['salt']);
    expect(slotAfter['created']).toBe(slotBefore['created']);
    expect(vault.unlockMethods()).toEqual(methods);
    await expectReadable(vault);
    vault.close();
    const again = await open(idb);
    expect(await rejection(again.unlock({ passphrase: PASS }))).toBeInstanceOf(BadCredentialsError);
    await again.unlock({ passphrase: 'tr0ub4dor & 3' });
    await expectReadable(again);
  });

  it('adds a second passphrase that unlocks the same keys, removes one, and never removes the last', async () => {
    const { vault, idb } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    const added = await vault.addUnlockMethod({ level: 'passphrase', passphrase: 'recovery code 42' }, { current: { passphrase: PASS } });
    expect(added).toMatchObject({ id: 2, kind: 'passphrase' });
    expect(vault.unlockMethods().map((m) => m.id)).toEqual([1, 2]);
    vault.close();
    const again = await open(idb, { unlock: { passphrase: 'recovery code 42' } });
    await expectReadable(again);
    expect(await rejection(again.removeUnlockMethod(9, { current: { passphrase: PASS } }))).toMatchObject({ name: 'ValidationError', code: 'unknown-slot' });
    expect(await rejection(again.removeUnlockMethod(1, { current: { passphrase: 'bad' } }))).toBeInstanceOf(BadCredentialsError);
    await again.removeUnlockMethod(1, { current: { passphrase: 'recovery code 42' } });
    expect(await keyringNames(idb)).not.toContain('slot:1');
    const last = await rejection(again.removeUnlockMethod(2, { current: { passphrase: 'recovery code 42' } }));
    expect(last).toMatchObject({ name: 'ValidationError', code: 'last-slot' });
    again.close();
    const third = await open(idb);
    expect(await rejection(third.unlock({ passphrase: PASS }))).toBeInstanceOf(BadCredentialsError);
    await third.unlock({ passphrase: 'recovery code 42' });
    await expectReadable(third);
  });

  it('wraps the keys of a rotation too: no stored CryptoKey, and a reopen unlocks the new generation', async () => {
    const { vault, idb } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    await vault.rotateKeys();
    expect(await allKeyIds(vault)).toEqual([3]);
    const keyring = await raw(idb, '_keyring');
    expect(keyring.filter((r) => r['key'] !== undefined)).toEqual([]);
    expect(keyring.map((r) => r['name'])).not.toContain('record:2');
    vault.close();
    await expectReadable(await open(idb, { unlock: { passphrase: PASS } }));
  });

  it('protects a plaintext vault directly (migration under wrapped keys)', async () => {
    const { vault, idb } = await vaultWith({ encryption: { database: false } }, { level: 'passphrase', passphrase: PASS });
    expect(vault.securityLevel).toBe('passphrase');
    expect((await vault.verifyEncryption()).ok).toBe(true);
    expect((await raw(idb, '_keyring')).filter((r) => r['key'] !== undefined)).toEqual([]);
    await expectReadable(vault);
  });

  it.each([
    { call: 'setProtection on a protected vault', code: 'already-protected', run: (v: Vault) => v.setProtection({ level: 'passphrase', passphrase: 'again' }), level: 'passphrase' },
    { call: 'addUnlockMethod at device level', code: 'not-protected', run: (v: Vault) => v.addUnlockMethod({ level: 'passphrase', passphrase: 'a' }, { current: { passphrase: 'b' } }), level: 'device' },
    { call: 'changePassphrase at device level', code: 'not-protected', run: (v: Vault) => v.changePassphrase({ current: 'a', next: 'b' }), level: 'device' },
    { call: 'setProtection with an unknown level', code: 'invalid-protection', run: (v: Vault) => v.setProtection({ level: 'pin' } as never), level: 'device' },
    { call: 'setProtection with an empty passphrase', code: 'invalid-passphrase', run: (v: Vault) => v.setProtection({ level: 'passphrase', passphrase: '' }), level: 'device' },
  ])('refuses $call (ValidationError $code)', async ({ run, code, level }) => {
    const { vault } = await vaultWith({}, level === 'passphrase' ? { level: 'passphrase', passphrase: PASS } : undefined);
    const error = await rejection(run(vault));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code });
    expect(vault.securityLevel).toBe(level);
    await expectReadable(vault);
  });

  it('reports a tampered wrapped data key as IntegrityError, not as a wrong passphrase, and stays locked', async () => {
    const { vault, idb } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    vault.close();
    const row = (await raw(idb, '_keyring')).find((r) => r['name'] === 'record:2')!;
    (row['wrapped'] as Uint8Array)[40]! ^= 0x01;
    await putRaw(idb.indexedDB, '_keyring', [row]);
    const again = await open(idb);
    const error = await rejection(again.unlock({ passphrase: PASS }));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: 'wrapped-key-invalid', details: { key: 'record:2' } });
    expect(again.locked).toBe(true);
  });

  it('does not open once its unlock slots are gone (KeyLostError), leaving the data as it was', async () => {
    const { vault, idb } = await vaultWith({}, { level: 'passphrase', passphrase: PASS });
    vault.close();
    await deleteRaw(idb.indexedDB, '_keyring', ['slot:1']);
    const before = await dataSnapshot(idb);
    expect(await rejection(reopen(idb))).toMatchObject({ name: 'KeyLostError', code: 'key-lost' });
    expect(await rejection(reopen(idb, { unlock: { passphrase: PASS } }))).toBeInstanceOf(KeyLostError);
    expect(await dataSnapshot(idb)).toEqual(before);
  });
});

describe('passkey protection', () => {
  it('wraps the keys under a PRF-derived KEK; a reopened vault unlocks with the same passkey', async () => {
    const fake = new FakeAuthenticator();
    const { vault, idb } = await vaultWith({ passkey: { webauthn: fake, rpId: 'localhost' } }, { level: 'passkey' });
    expect(vault.securityLevel).toBe('passkey');
    const slot = (await raw(idb, '_keyring')).find((r) => r['name'] === 'slot:1')!;
    expect(slot).toMatchObject({ kind: 'passkey' });
    expect(slot['credentialId']).toEqual(fake.created[0]);
    expect((slot['prfSalt'] as Uint8Array).length).toBe(32);
    expect((await raw(idb, '_keyring')).filter((r) => r['key'] !== undefined)).toEqual([]);
    vault.close();
    const again = await open(idb, { passkey: { webauthn: fake } });
    expect(again.locked).toBe(true);
    await again.unlock({ passkey: true });
    await expectReadable(again);
    again.close();
    await expectReadable(await open(idb, { passkey: { webauthn: fake }, unlock: { passkey: true } }));
  });

  it.each([
    { case: 'a credential of no slot', code: 'unknown-passkey', change: (fake: FakeAuthenticator) => (fake.answerWith = new Uint8Array(32).fill(9)) },
    {
      case: 'the same credential id with another secret (a re-created passkey)',
      code: 'bad-credentials',
      change: (fake: FakeAuthenticator) => fake.secrets.set(Buffer.from(fake.created[0]!).toString('base64url'), Buffer.alloc(32, 1)),
    },
  ])('refuses $case with BadCredentialsError $code and stays locked', async ({ code, change }) => {
    const fake = new FakeAuthenticator();
    const { vault, idb } = await vaultWith({ passkey: { webauthn: fake } }, { level: 'passkey' });
    vault.close();
    change(fake);
    const again = await open(idb, { passkey: { webauthn: fake } });
    const error = await rejection(again.unlock({ passkey: true }));
    expect(error).toBeInstanceOf(BadCredentialsError);
    expect(error).toMatchObject({ code });
    expect(again.locked).toBe(true);
    expect(await rejection(again.table('Sales.Customer').get('c1'))).toBeInstanceOf(LockedError);
  });

  it('refuses an authenticator without PRF (PrfUnsupportedError): the vault stays at device level, data and keys untouched', async () => {
    const { vault, idb } = await vaultWith({ passkey: { webauthn: new FakeAuthenticator({ prf: false }) } });
    const keyring = await raw(idb, '_keyring');
    const data = await dataSnapshot(idb);
    const error = await rejection(vault.setProtection({ level: 'passkey' }));
    expect(error).toBeInstanceOf(PrfUnsupportedError);
    expect(error).toMatchObject({ code: 'prf-unsupported' });
    expect([vault.securityLevel, vault.reencryption()]).toEqual(['device', null]);
    expect(await raw(idb, '_keyring')).toEqual(keyring);
    expect(await dataSnapshot(idb)).toEqual(data);
    await expectReadable(vault);
    vault.close();
    await expectReadable(await open(idb));
  });

  it('adds a recovery passphrase and a second passkey; each unlocks on its own', async () => {
    const fake = new FakeAuthenticator();
    const { vault, idb } = await vaultWith({ passkey: { webauthn: fake } }, { level: 'passkey' });
    await vault.addUnlockMethod({ level: 'passphrase', passphrase: PASS }, { current: { passkey: true } });
    await vault.addUnlockMethod({ level: 'passkey' }, { current: { passphrase: PASS } });
    expect(vault.unlockMethods().map((m) => m.kind)).toEqual(['passkey', 'passphrase', 'passkey']);
    expect(await rejection(vault.changePassphrase({ current: 'wrong', next: 'x' }))).toBeInstanceOf(BadCredentialsError);
    vault.close();
    const byPassphrase = await open(idb, { unlock: { passphrase: PASS } });
    await expectReadable(byPassphrase);
    byPassphrase.close();
    fake.answerWith = fake.created[1];
    await expectReadable(await open(idb, { passkey: { webauthn: fake }, unlock: { passkey: true } }));
  });
});
