import { afterEach, describe, expect, it } from 'vitest';
import { IntegrityError, KeyLostError } from '../../src/core/errors.js';
import type { OpenVaultOptions, Vault } from '../../src/store/index.js';
import { defineApp } from '../../src/app/index.js';
import { freshIndexedDb, openTestVault } from '../helpers/open-test-vault.js';
import {
  allKeyIds,
  deleteRaw,
  eventually,
  isSealedRow,
  keyIdsByStore,
  keyringNames,
  putRaw,
  raw,
  rejection,
  reopen,
  SEALED_STORES,
  seedCustomers,
  settled,
  type Idb,
} from '../helpers/lifecycle-fixture.js';

const vaults: Vault[] = [];
afterEach(() => {
  for (const v of vaults.splice(0)) v.close();
});
const track = (v: Vault): Vault => (vaults.push(v), v);

const syncError = {
  id: 'err-1',
  entity: 'Sales.Customer',
  objectId: 'c1',
  op: 'update' as const,
  content: { Name: 'Rejected name' },
  reason: { code: 'access-denied', message: 'Not allowed' },
  at: '2024-01-01T00:00:00.000Z',
};

/** A plaintext vault with customers, orders, an update, a delete, and sync rows written raw. */
async function plaintextVault(overrides: Partial<OpenVaultOptions> = {}): Promise<{ vault: Vault; idb: Idb }> {
  const { vault: seeding, idb } = await openTestVault({ encryption: { database: false } });
  await seedCustomers(seeding, 20);
  for (let i = 0; i < 6; i++) await seeding.table('Sales.Order').put({ id: `o${i}`, Number: i, Status: i % 2 === 0 ? 'Open' : 'Paid', TotalPrice: 10 * i });
  await seeding.table('Sales.Customer').update('c1', { Name: 'Renamed' });
  await seeding.table('Sales.Customer').delete('c2');
  seeding.close();
  await putRaw(idb.indexedDB, '_syncErrors', [{ k: syncError.id, d: syncError }]);
  await putRaw(idb.indexedDB, '_syncState', [{ k: 'probe', d: { cursor: 'abc' } }]);
  await putRaw(idb.indexedDB, '_meta', [{ name: 'user', k: 'user', d: { id: 'u-1', roles: ['Rep'] } }]);
  return { vault: track(await reopen(idb, { encryption: { database: false }, ...overrides })), idb };
}

async function appView(vault: Vault) {
  return {
    outbox: await vault.outbox(),
    pending: await vault.pendingChanges(),
    errors: await vault.syncErrors(),
    user: vault.user,
    customers: await vault.table('Sales.Customer').toArray(),
    orders: await vault.table('Sales.Order').toArray(),
  };
}

describe('enableEncryption: migration in place', () => {
  it('seals records, outbox, sync errors, sync state and the user row, and the app sees the same data', async () => {
    const { vault, idb } = await plaintextVault();
    expect(vault.securityLevel).toBe('none');
    const before = await appView(vault);
    expect(before.pending).toBe(26); // 20 customers (one deleted since) and 6 orders
    expect(before.user).toEqual({ id: 'u-1', roles: ['Rep'] });
    expect((await raw(idb, 'Sales.Customer')).some(isSealedRow)).toBe(false);

    await vault.enableEncryption();
    expect([vault.encrypted, vault.securityLevel, vault.reencryption()]).toEqual([true, 'device', null]);
    expect(await appView(vault)).toEqual(before);
    for (const store of SEALED_STORES) {
      const rows = await raw(idb, store);
      expect(rows.length, store).toBeGreaterThan(0);
      expect(rows.every(isSealedRow), store).toBe(true);
    }
    const meta = await raw(idb, '_meta');
    expect(isSealedRow(meta.find((r) => r['name'] === 'user')!)).toBe(true);
    expect(JSON.stringify(meta.find((r) => r['name'] === 'user'))).not.toContain('u-1');
    const report = await vault.verifyEncryption();
    expect(report.ok).toBe(true);
    expect(await keyIdsByStore(vault)).toEqual(Object.fromEntries([...SEALED_STORES, '_meta'].sort().map((s) => [s, [1]])));

    vault.close();
    const again = track(await reopen(idb));
    expect(await appView(again)).toEqual(before);
    expect(await again.table('Sales.Customer').where('City').equals('Delft').count()).toBe(9);
    expect(await again.table('Sales.Order').where('Status').equals('Open').count()).toBe(3);
  });

  it.each([
    { op: 'creates an object', run: (v: Vault) => v.table('Sales.Customer').put({ id: 'new', Name: 'New', City: 'Delft' }), id: 'new', expected: { Name: 'New' } },
    { op: 'updates an object', run: (v: Vault) => v.table('Sales.Customer').update('c15', { Name: 'Changed' }), id: 'c15', expected: { Name: 'Changed' } },
    { op: 'deletes an object', run: (v: Vault) => v.table('Sales.Customer').delete('c16'), id: 'c16', expected: undefined },
  ])('lets the app read and write meanwhile: a write in onProgress that $op ends sealed, nothing lost or duplicated', async ({ run, id, expected }) => {
    // Batches of 4: the write hits c15 / c16 before the migration reaches them.
    const { vault, idb } = await plaintextVault({ reencryptBatchSize: 4 });
    const outboxBefore = (await vault.outbox()).length;
    const during: Promise<unknown>[] = [];
    await vault.enableEncryption({
      onProgress: (p) => {
        if (during.length > 0 || p.done < 4 || p.done === p.total) return;
        during.push(vault.table('Sales.Customer').toArray(), run(vault));
      },
    });
    const [read] = (await Promise.all(during)) as [unknown[]];
    expect(read).toHaveLength(19);
    expect((await vault.outbox()).length).toBe(outboxBefore + 1);
    const object = await vault.table('Sales.Customer').get(id);
    expect(object === undefined ? undefined : { Name: object['Name'] }).toEqual(expected);
    const rows = await raw(idb, 'Sales.Customer');
    const ids = rows.map((r) => r['id']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(19 + (id === 'new' ? 1 : id === 'c16' ? -1 : 0));
    await settled(vault);
    for (const store of SEALED_STORES) expect((await raw(idb, store)).every(isSealedRow), store).toBe(true);
    expect((await vault.verifyEncryption()).ok).toBe(true);
  });

  it('starts by itself when a plaintext vault is opened with encryption on, and enableEncryption joins it', async () => {
    const { vault: plain, idb } = await plaintextVault();
    const before = await appView(plain);
    plain.close();
    const vault = track(await reopen(idb));
    // Called at once, while the automatic start is still committing its keys: joins, no keys-changed.
    await vault.enableEncryption();
    expect(vault.securityLevel).toBe('device');
    expect(await appView(vault)).toEqual(before);
    expect((await vault.verifyEncryption()).ok).toBe(true);
    expect(await keyringNames(idb)).toContain('record:1');
  });

  it('seals writes made right after such an open: the keys exist before openVault resolves', async () => {
    const { vault: plain, idb } = await plaintextVault();
    plain.close();
    const vault = track(await reopen(idb));
    expect([vault.encrypted, vault.securityLevel, vault.reencryption()?.kind]).toEqual([true, 'device', 'migrate']);
    await vault.table('Sales.Customer').put({ id: 'fresh', Name: 'Written at once' });
    const row = (await raw(idb, 'Sales.Customer')).find((r) => (r as { id: string }).id === 'fresh');
    expect(row !== undefined && isSealedRow(row)).toBe(true);
    await vault.enableEncryption();
  });

  it('queues a rotation asked for while the automatic migration starts', async () => {
    const { vault: plain, idb } = await plaintextVault();
    plain.close();
    const vault = track(await reopen(idb));
    await vault.rotateKeys();
    expect(await allKeyIds(vault)).toEqual([2]);
    expect(await vault.table('Sales.Customer').where('Name').equals('Name 7').count()).toBe(1);
  });

  it('keeps an encrypted vault encrypted when it is opened with database: false', async () => {
    const { vault, idb } = await openTestVault();
    await seedCustomers(vault, 3);
    vault.close();
    const again = track(await reopen(idb, { encryption: { database: false } }));
    expect([again.encrypted, again.securityLevel]).toEqual([true, 'device']);
    await again.table('Sales.Customer').put({ id: 'later', Name: 'Later' });
    expect((await raw(idb, 'Sales.Customer')).every(isSealedRow)).toBe(true);
    expect((await again.verifyEncryption()).ok).toBe(true);
  });

  it('refuses a plaintext row slipped into the vault after the migration (IntegrityError not-an-envelope)', async () => {
    const { vault, idb } = await plaintextVault();
    await vault.enableEncryption();
    await putRaw(idb.indexedDB, 'Sales.Customer', [{ id: 'forged', w: 1, d: { Name: 'Forged' }, x_Name: '"Forged"', x_City: 'null' }]);
    const error = await rejection(vault.table('Sales.Customer').get('forged'));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: 'not-an-envelope' });
    await putRaw(idb.indexedDB, '_outbox', [{ seq: 10_000, uid: 'x', d: { entity: 'Sales.Customer', id: 'c3', op: 'update', members: {} } }]);
    expect(await rejection(vault.outbox())).toMatchObject({ name: 'IntegrityError', code: 'not-an-envelope' });
    expect((await vault.verifyEncryption()).ok).toBe(false);
  });
});

describe('rotateKeys', () => {
  it('moves every row to the new generation and deletes the old record, file, index and budget rows', async () => {
    const { vault, idb } = await plaintextVault();
    await vault.enableEncryption();
    const before = await appView(vault);
    expect(await keyringNames(idb)).toEqual(expect.arrayContaining(['record:1', 'file:1', 'index:Sales.Customer/Name', 'budget:record:1']));
    const progress: number[] = [];
    await vault.rotateKeys({ onProgress: (p) => progress.push(p.done) });
    expect(progress.length).toBeGreaterThan(0);
    expect(await allKeyIds(vault)).toEqual([2]);
    const names = await keyringNames(idb);
    expect(names.filter((n) => /^(record|file|budget:record):1$/.test(n) || /^index:[^@]+$/.test(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['record:2', 'file:2', 'index:Sales.Customer/Name@2', 'index:Sales.Order/Status@2']));
    expect(await appView(vault)).toEqual(before);
    expect(await vault.table('Sales.Customer').where('City').equals('Leiden').count()).toBe(10);
    await vault.table('Sales.Customer').put({ id: 'after', Name: 'After', City: 'Leiden' });
    expect(await vault.table('Sales.Customer').where('City').equals('Leiden').count()).toBe(11);
    expect((await vault.verifyEncryption()).ok).toBe(true);
  });

  it('keeps encrypted files readable through a rotation and a move to passphrase protection, destroying old file keys', async () => {
    const idb = freshIndexedDb();
    const app = defineApp({ entities: { 'S.Photo': { file: 'image', attributes: { Title: 'string' } } } });
    const content = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 251); // two segments
    const bytes = async (v: Vault) => new Uint8Array(await (await v.files.get('p1'))!.arrayBuffer());
    const vault = track(await reopen(idb, { app }));
    await vault.table('S.Photo').put({ id: 'p1', Title: 'Shop front' });
    await vault.files.put('S.Photo', 'p1', new Blob([content]));
    await vault.rotateKeys();
    expect(await keyringNames(idb)).not.toContain('file:1');
    expect(await bytes(vault)).toEqual(content);
    await vault.setProtection({ level: 'passphrase', passphrase: 'files too' });
    expect((await keyringNames(idb)).filter((n) => n.startsWith('file:'))).toEqual(['file:3']);
    expect(await bytes(vault)).toEqual(content);
    vault.close();
    expect(await bytes(track(await reopen(idb, { app, unlock: { passphrase: 'files too' } })))).toEqual(content);
  });

  it('walks again when a lagging writer puts back a row under the old key behind the cursor, then destroys the key', async () => {
    const { vault, idb } = await openTestVault({ reencryptBatchSize: 5 });
    track(vault);
    await seedCustomers(vault, 40);
    const stale = (await raw(idb, 'Sales.Customer')).find((r) => r['id'] === 'c0')!;
    const seen: number[] = [];
    let lagging: Promise<void> | undefined;
    await vault.rotateKeys({
      onProgress: (p) => {
        seen.push(p.done);
        // After the first batch (c0 done): a tab that missed the rotation writes c0 under key 1.
        lagging ??= putRaw(idb.indexedDB, 'Sales.Customer', [stale]);
      },
    });
    await lagging;
    expect(seen.some((done, i) => i > 0 && done < seen[i - 1]!)).toBe(true); // a second round
    expect(await allKeyIds(vault)).toEqual([2]);
    expect(await keyringNames(idb)).not.toContain('record:1');
    expect(await vault.table('Sales.Customer').get('c0')).toMatchObject({ Name: 'Name 0' });
    expect(await vault.table('Sales.Customer').where('City').equals('Delft').count()).toBe(20);
  });

  it.each([
    { level: 'none', open: { encryption: { database: false } }, code: 'not-encrypted' },
  ])('refuses to rotate at level $level ($code)', async ({ open, code }) => {
    const { vault } = await openTestVault(open);
    track(vault);
    expect(await rejection(vault.rotateKeys())).toMatchObject({ name: 'StorageError', code });
  });

  it('rotates by itself once the usage budget passes rotateAt, ending with one generation for every row', async () => {
    const { vault, idb } = await openTestVault({ rotation: { rotateAt: 50, leaseSize: 10 } });
    track(vault);
    const seen: number[] = [];
    vault.on('reencrypt-progress', (p) => seen.push(p.done));
    // 30 puts seal 60 times (record + outbox entry): past 50, the record key rotates.
    await seedCustomers(vault, 30);
    await eventually(async () => vault.reencryption() === null && (await allKeyIds(vault)).length === 1 && !(await keyringNames(idb)).includes('record:1'));
    expect(seen.length).toBeGreaterThan(0);
    const [gen] = await allKeyIds(vault);
    expect(gen).toBeGreaterThanOrEqual(2);
    expect(await keyringNames(idb)).toContain(`record:${gen}`);
    expect(await vault.table('Sales.Customer').count()).toBe(30);
    expect(await vault.table('Sales.Customer').where('City').equals('Delft').count()).toBe(15);
    expect(await vault.pendingChanges()).toBe(30);
  });

  it('refuses writes with StorageError key-exhausted once a key nears 2^32 seals, then rotates and writes again', async () => {
    const { vault, idb } = await openTestVault({ rotation: { leaseSize: 10 } });
    await seedCustomers(vault, 2);
    vault.close();
    await putRaw(idb.indexedDB, '_keyring', [{ name: 'budget:record:1', inv: 2 ** 32 - 12, blk: 0 }]);
    const again = track(await reopen(idb, { rotation: { leaseSize: 10 } }));
    const error = await rejection(again.table('Sales.Customer').put({ id: 'x', Name: 'X' }));
    expect(error).toMatchObject({ name: 'StorageError', code: 'key-exhausted', details: { generation: 1 } });
    expect(await again.table('Sales.Customer').get('x')).toBeUndefined();
    // The refusal itself starts a rotation (nothing else would: every write is refused).
    await eventually(async () => again.reencryption() === null && (await allKeyIds(again)).join() === '2');
    await again.table('Sales.Customer').put({ id: 'x', Name: 'X' });
    expect(await again.table('Sales.Customer').get('x')).toMatchObject({ Name: 'X' });
  });
});
describe('lost keys', () => {
  it('refuses to open a device vault whose keyring is gone (KeyLostError) and leaves the ciphertext as it was', async () => {
    const { vault, idb } = await openTestVault();
    await seedCustomers(vault, 5);
    vault.close();
    await deleteRaw(idb.indexedDB, '_keyring');
    const before = await raw(idb, 'Sales.Customer');
    const error = await rejection(reopen(idb));
    expect(error).toBeInstanceOf(KeyLostError);
    expect(error).toMatchObject({ code: 'key-lost' });
    expect(await raw(idb, 'Sales.Customer')).toEqual(before);
    expect(await raw(idb, '_keyring')).toEqual([]);
    expect(await rejection(reopen(idb, { encryption: { database: false } }))).toBeInstanceOf(KeyLostError);
  });
});
