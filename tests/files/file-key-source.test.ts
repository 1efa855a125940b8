import { afterEach, describe, expect, it } from 'vitest';
import { LockedError } from '../../src/core/errors.js';
import { keyringFileKeySource } from '../../src/files/index.js';
import { createFileKey, readU32 } from '../../src/crypto/index.js';
import { FILES_STORE, KEYRING_STORE, META_STORE } from '../../src/store/vault-database.js';
import { blobBytes, byteDiff, randomBytes, S } from './file-fixture.js';
import { closeKeyedVaults, keyedVault, memoryKeySource, protectFileKeys } from './key-fixture.js';

afterEach(closeKeyedVaults);

const keyringNames = async (v: { db: { table(n: string): { toArray(): Promise<unknown[]> } } }) =>
  ((await v.db.table(KEYRING_STORE).toArray()) as { name: string; key?: unknown }[]).map((r) => `${r.name}${r.key instanceof CryptoKey ? '+key' : ''}`).sort();

describe('the default (keyring) file key source', () => {
  it('skips keyring rows that hold only a wrapped key', async () => {
    const v = await keyedVault();
    await v.db.table(KEYRING_STORE).put({ name: 'file:2', wrapped: { 1: new Uint8Array(66) } });
    const keys = await keyringFileKeySource(v.db).load();
    expect([...keys.all.keys()]).toEqual([1]);
    expect(keys.primary?.keyId).toBe(1);
    const data = randomBytes(S + 3);
    await v.store().put('Docs.Photo', 'p1', new Blob([data]));
    const row = await v.db.table(FILES_STORE).get('p1');
    expect(readU32(row.header, 27)).toBe(1); // wrapped under the usable key, not the wrapped-only file:2
    expect(byteDiff(await blobBytes(await v.store().get('p1')), data)).toBe('equal');
  });

  it('takes the generation _meta.primary names as primary when that file key exists', async () => {
    const v = await keyedVault();
    await v.db.table(KEYRING_STORE).put({ name: 'file:2', key: (await createFileKey(2)).key });
    expect((await keyringFileKeySource(v.db).load()).primary?.keyId).toBe(2);
    await v.db.table(META_STORE).update('vault', { primary: 1 });
    expect((await keyringFileKeySource(v.db).load()).primary?.keyId).toBe(1);
    await v.db.table(META_STORE).update('vault', { primary: 7 }); // no such file key: the newest
    expect((await keyringFileKeySource(v.db).load()).primary?.keyId).toBe(2);
  });

  it('creates file:1 on first write at the device level (the contrast to the locked levels)', async () => {
    const v = await keyedVault({ fileKey: false });
    const keys = await keyringFileKeySource(v.db).ensure();
    expect(keys.primary?.keyId).toBe(1);
    expect(await keyringNames(v)).toEqual(['file:1+key']);
  });

  it.each(['passphrase', 'passkey'] as const)('at the %s level without a key source it throws LockedError and creates no key', async (level) => {
    const v = await keyedVault({ fileKey: false, level });
    const source = keyringFileKeySource(v.db);
    await expect(source.load()).rejects.toMatchObject({ name: 'LockedError', code: 'locked' });
    await expect(source.ensure()).rejects.toBeInstanceOf(LockedError);
    await expect(v.store().put('Docs.Photo', 'p1', new Blob([randomBytes(10)]))).rejects.toMatchObject({ name: 'LockedError', code: 'locked' });
    expect(await keyringNames(v)).toEqual([]);
    expect(await v.store().has('p1')).toBe(false);
  });

  it('at the passphrase level with wrapped rows only, reads and writes of encrypted files are LockedError; plain files still read', async () => {
    const v = await keyedVault();
    const data = randomBytes(100);
    await v.store().put('Docs.Photo', 'enc', new Blob([data]));
    await v.store(undefined, false).put('Docs.Photo', 'plain', new Blob([data]));
    await protectFileKeys(v.db, v.dbId);
    const store = v.store();
    await expect(store.get('enc')).rejects.toMatchObject({ name: 'LockedError', code: 'locked' });
    await expect(store.put('Docs.Photo', 'enc2', new Blob([data]))).rejects.toMatchObject({ code: 'locked' });
    expect(byteDiff(await blobBytes(await store.get('plain')), data)).toBe('equal');
    expect(await keyringNames(v)).toEqual(['file:1']);
  });
});

describe('a file store with a page-memory key source', () => {
  it('reads and writes with the unlocked keys, and stops the moment the source locks', async () => {
    const v = await keyedVault();
    const keys = await protectFileKeys(v.db, v.dbId);
    const source = memoryKeySource(keys);
    const store = v.store(source);
    const data = randomBytes(2 * S + 1);
    await store.put('Docs.Report', 'r1', new Blob([data], { type: 'text/plain' }));
    expect(byteDiff(await blobBytes(await store.get('r1')), data)).toBe('equal');
    source.set(undefined);
    await expect(store.get('r1')).rejects.toMatchObject({ name: 'LockedError', code: 'locked' });
    await expect(store.put('Docs.Report', 'r2', new Blob([data]))).rejects.toMatchObject({ code: 'locked' });
    source.set(keys);
    expect((await store.info('r1'))?.contentType).toBe('text/plain');
    expect(await keyringNames(v)).toEqual(['file:1']);
  });
});
