import { afterEach, describe, expect, it } from 'vitest';
import { IntegrityError, LockedError } from '../../src/core/errors.js';
import { envelopeKeyId } from '../../src/crypto/index.js';
import type { ReencryptProgress } from '../../src/core/reencrypt-progress.js';
import type { OpenVaultOptions, Vault } from '../../src/store/index.js';
import { openTestVault } from '../helpers/open-test-vault.js';
import {
  allKeyIds,
  isSealedRow,
  keyringNames,
  putRaw,
  raw,
  rejection,
  reopen,
  sealedCounts,
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
const BATCH = 5;
const DATA_STORES = ['Sales.Customer', 'Sales.Order', '_outbox'];

/** 40 customers and 10 orders (50 outbox entries), then closed. */
async function seeded(encrypted: boolean): Promise<Idb> {
  const { vault, idb } = await openTestVault({ encryption: { database: encrypted } });
  await seedCustomers(vault, 40);
  for (let i = 0; i < 10; i++) await vault.table('Sales.Order').put({ id: `o${i}`, Number: i, Status: i < 4 ? 'Open' : 'Closed' });
  vault.close();
  return idb;
}

async function appView(vault: Vault) {
  return {
    outbox: await vault.outbox(),
    customers: await vault.table('Sales.Customer').toArray(),
    orders: await vault.table('Sales.Order').toArray(),
  };
}

/**
 * Runs a re-encrypting call and closes the vault from its onProgress at about half way. With
 * `duringRead`, that read starts at a quarter while the job goes on, and the vault closes at the
 * first progress event past half way after the read finished.
 */
async function interruptHalfWay(vault: Vault, start: (onProgress: (p: ReencryptProgress) => void) => Promise<void>, duringRead?: () => Promise<void>) {
  const seen: ReencryptProgress[] = [];
  let read: Promise<void> | undefined;
  let readDone = false;
  let closed = false;
  const error = await rejection(
    start((p) => {
      seen.push(p);
      if (closed) return;
      // The read starts at a quarter, so it has the second quarter to finish while the job runs.
      if (duringRead !== undefined && read === undefined && p.done >= p.total / 4) {
        read = duringRead().finally(() => (readDone = true));
        return;
      }
      if (p.done >= p.total / 2 && (duringRead === undefined || readDone)) {
        closed = true;
        vault.close();
      }
    }),
  );
  await read;
  return { error, seen };
}

/** Key generations in the raw envelope headers of `stores` (read with the vault closed). */
async function rawKeyIds(idb: Idb, stores: readonly string[]): Promise<number[]> {
  const ids = new Set<number>();
  for (const store of stores) for (const row of await raw(idb, store)) if (row['e'] instanceof Uint8Array) ids.add(envelopeKeyId(row['e']));
  return [...ids].sort();
}

/** Resolves with the progress event that reports the end of the job. */
function finished(vault: Vault): Promise<ReencryptProgress> {
  return new Promise((resolve) => {
    const off = vault.on('reencrypt-progress', (p) => {
      if (p.done === p.total) {
        off();
        resolve(p);
      }
    });
  });
}

describe('an interrupted migration', () => {
  it.each([
    { reopenWith: 'encryption on (default)', options: {} as Partial<OpenVaultOptions> },
    { reopenWith: 'database: false', options: { encryption: { database: false } } as Partial<OpenVaultOptions> },
  ])('resumes when reopened with $reopenWith: every record readable, nothing duplicated, no plaintext left', async ({ options }) => {
    const idb = await seeded(false);
    const first = track(await reopen(idb, { encryption: { database: false }, reencryptBatchSize: BATCH }));
    const before = await appView(first);
    const { error, seen } = await interruptHalfWay(first, (onProgress) => first.enableEncryption({ onProgress }));
    expect(error).toMatchObject({ name: 'VaultError', code: 'reencryption-paused' });
    expect(seen.map((p) => p.kind)).toEqual(seen.map(() => 'migrate'));
    expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
    const mixed = await sealedCounts(idb, DATA_STORES);
    expect(mixed.sealed).toBeGreaterThan(0);
    expect(mixed.plain).toBeGreaterThan(0);

    const again = track(await reopen(idb, { reencryptBatchSize: BATCH, ...options }));
    const done = finished(again);
    expect(again.reencryption()).toMatchObject({ kind: 'migrate' });
    expect(again.encrypted).toBe(true);
    // The app reads mixed plaintext / sealed rows while the job goes on.
    expect(await again.table('Sales.Customer').where('City').equals('Delft').count()).toBe(20);
    const end = await done;
    expect(end.done).toBe(end.total);
    await settled(again);
    expect(await appView(again)).toEqual(before);
    for (const store of DATA_STORES) {
      const rows = await raw(idb, store);
      expect(rows.every(isSealedRow), store).toBe(true);
      const keys = rows.map((r) => r['id'] ?? r['seq']);
      expect(new Set(keys).size, store).toBe(keys.length);
    }
    expect((await raw(idb, 'Sales.Customer')).length).toBe(40);
    const report = await again.verifyEncryption();
    expect(report.ok).toBe(true);
    expect(await allKeyIds(again)).toEqual([1]);
  });

  it('also pauses (reencryption-paused) when the vault closes in the middle of a batch, and resumes intact', async () => {
    const idb = await seeded(false);
    const first = track(await reopen(idb, { encryption: { database: false }, reencryptBatchSize: BATCH }));
    const before = await appView(first);
    let scheduled = false;
    const error = await rejection(
      first.enableEncryption({
        onProgress: () => {
          if (scheduled) return;
          scheduled = true;
          setTimeout(() => first.close(), 0); // lands while a batch reads, seals or writes
        },
      }),
    );
    expect(error).toMatchObject({ code: 'reencryption-paused' });
    const again = track(await reopen(idb, { reencryptBatchSize: BATCH }));
    await again.enableEncryption();
    expect(await appView(again)).toEqual(before);
    expect((await again.verifyEncryption()).ok).toBe(true);
  });

  it('pauses when lock() comes between batches and goes on by itself after unlock()', async () => {
    const idb = await seeded(false);
    const vault = track(await reopen(idb, { encryption: { database: false }, reencryptBatchSize: BATCH }));
    const before = await appView(vault);
    let locked = false;
    const error = await rejection(
      vault.enableEncryption({
        onProgress: (p) => {
          if (!locked && p.done >= 2 * BATCH) {
            locked = true;
            vault.lock();
          }
        },
      }),
    );
    expect(error).toMatchObject({ code: 'reencryption-paused' });
    expect(vault.reencryption()).toMatchObject({ kind: 'migrate' });
    expect((await sealedCounts(idb, DATA_STORES)).plain).toBeGreaterThan(0);
    const done = finished(vault);
    await vault.unlock();
    await done;
    await settled(vault);
    expect((await vault.verifyEncryption()).ok).toBe(true);
    expect(await appView(vault)).toEqual(before);
  });

  it('rejects plaintext rows once the resumed migration finished (IntegrityError not-an-envelope)', async () => {
    const idb = await seeded(false);
    const first = track(await reopen(idb, { encryption: { database: false }, reencryptBatchSize: BATCH }));
    await interruptHalfWay(first, (onProgress) => first.enableEncryption({ onProgress }));
    const again = track(await reopen(idb, { reencryptBatchSize: BATCH }));
    // Mid-migration a plaintext row is legitimate...
    await putRaw(idb.indexedDB, 'Sales.Customer', [{ id: 'zz-early', w: 1, d: { Name: 'Early' }, x_Name: '"Early"', x_City: 'null' }]);
    expect(await again.table('Sales.Customer').get('zz-early')).toMatchObject({ Name: 'Early' });
    await again.enableEncryption();
    expect(isSealedRow((await raw(idb, 'Sales.Customer')).find((r) => r['id'] === 'zz-early')!)).toBe(true);
    // ...afterwards one written in is refused.
    await putRaw(idb.indexedDB, 'Sales.Customer', [{ id: 'zz-late', w: 1, d: { Name: 'Late' }, x_Name: '"Late"', x_City: 'null' }]);
    const error = await rejection(again.table('Sales.Customer').get('zz-late'));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: 'not-an-envelope' });
    expect(await rejection(again.table('Sales.Customer').toArray())).toBeInstanceOf(IntegrityError);
    expect((await again.verifyEncryption()).ok).toBe(false);
  });
});

describe('an interrupted rotation', () => {
  it('keeps blind-index queries working during it and after it resumed, then destroys the old keys', async () => {
    const idb = await seeded(true);
    const first = track(await reopen(idb, { reencryptBatchSize: BATCH }));
    const before = await appView(first);
    let halfWay = -1;
    const { error } = await interruptHalfWay(
      first,
      (onProgress) => first.rotateKeys({ onProgress }),
      async () => {
        halfWay = await first.table('Sales.Customer').where('City').equals('Delft').count();
      },
    );
    expect(error).toMatchObject({ code: 'reencryption-paused' });
    expect(halfWay).toBe(20);
    const names = await keyringNames(idb);
    expect(names).toEqual(expect.arrayContaining(['record:1', 'record:2', 'index:Sales.Customer/City', 'index:Sales.Customer/City@2']));

    expect(await rawKeyIds(idb, DATA_STORES)).toEqual([1, 2]);

    const again = track(await reopen(idb, { reencryptBatchSize: BATCH }));
    const done = finished(again);
    expect(again.reencryption()).toMatchObject({ kind: 'rotate' });
    expect(await again.table('Sales.Customer').where('City').equals('Leiden').count()).toBe(20);
    expect(await again.table('Sales.Order').where('Status').equals('Open').count()).toBe(4);
    await done;
    await settled(again);
    expect(await allKeyIds(again)).toEqual([2]);
    expect((await keyringNames(idb)).filter((n) => /^(record|file|budget:record):1$/.test(n) || /^index:[^@]+$/.test(n))).toEqual([]);
    expect(await appView(again)).toEqual(before);
    expect(await again.table('Sales.Customer').where('City').equals('Delft').count()).toBe(20);
    expect(await again.table('Sales.Customer').where('Name').equals('Name 33').count()).toBe(1);
  });
});

describe('an interrupted move to passphrase protection', () => {
  it('opens locked, waits for the unlock, then finishes and leaves no device key behind', async () => {
    const idb = await seeded(true);
    const first = track(await reopen(idb, { reencryptBatchSize: BATCH }));
    const before = await appView(first);
    const { error } = await interruptHalfWay(first, (onProgress) => first.setProtection({ level: 'passphrase', passphrase: 'long enough' }, { onProgress }));
    expect(error).toMatchObject({ code: 'reencryption-paused' });
    const keyring = await raw(idb, '_keyring');
    expect(keyring.some((r) => r['key'] instanceof CryptoKey)).toBe(true); // gen 1 still in use
    expect(keyring.some((r) => r['wrapped'] instanceof Uint8Array)).toBe(true);

    const again = track(await reopen(idb, { reencryptBatchSize: BATCH }));
    expect([again.securityLevel, again.locked]).toEqual(['passphrase', true]);
    expect(again.reencryption()).toMatchObject({ kind: 'protect' });
    expect(await rejection(again.table('Sales.Customer').get('c1'))).toBeInstanceOf(LockedError);
    const done = finished(again);
    await again.unlock({ passphrase: 'long enough' });
    await done;
    await settled(again);
    expect((await raw(idb, '_keyring')).filter((r) => r['key'] !== undefined)).toEqual([]);
    expect(await allKeyIds(again)).toEqual([2]);
    expect(await appView(again)).toEqual(before);
    for (const store of SEALED_STORES.slice(0, 3)) expect((await raw(idb, store)).every(isSealedRow)).toBe(true);
  });
});
