import type Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, ValidationError } from '../../src/core/errors.js';
import { createUsageBudget, type UsageBudgetOptions } from '../../src/store/usage-budget.js';
import { createVaultDatabase, KEYRING_STORE } from '../../src/store/vault-database.js';
import { freshIndexedDb, salesApp } from '../helpers/open-test-vault.js';

const open: Dexie[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

async function database(): Promise<Dexie> {
  const db = createVaultDatabase('budget', salesApp, freshIndexedDb());
  await db.open();
  open.push(db);
  return db;
}

async function stored(db: Dexie, gen: number): Promise<number | undefined> {
  return ((await db.table(KEYRING_STORE).get(`budget:record:${gen}`)) as { inv: number } | undefined)?.inv;
}

function budgetOn(db: Dexie, options: UsageBudgetOptions, inMemory = false) {
  const signals: number[] = [];
  const budget = createUsageBudget(db, options, (gen) => signals.push(gen), () => inMemory);
  return { budget, signals };
}

describe('usage budget', () => {
  it('leases leaseSize invocations at a time and stores the leased total', async () => {
    const db = await database();
    const { budget } = budgetOn(db, { leaseSize: 10 });
    expect(await stored(db, 1)).toBeUndefined();
    await budget.consume(1, 1);
    expect(await stored(db, 1)).toBe(10);
    for (let i = 0; i < 9; i++) await budget.consume(1, 1);
    expect(await stored(db, 1)).toBe(10);
    await budget.consume(1, 1);
    expect(await stored(db, 1)).toBe(20);
    expect(await budget.used(1)).toBe(20);
  });

  it('consumes from memory without a lease while the current lease lasts (no promise returned)', async () => {
    const db = await database();
    const { budget } = budgetOn(db, { leaseSize: 10 });
    await budget.consume(1, 4);
    expect(budget.consume(1, 6)).toBeUndefined();
    expect(budget.consume(1, 1)).toBeInstanceOf(Promise);
  });

  it('serves seals from a reservation made beforehand without leasing again (no promise returned)', async () => {
    const db = await database();
    const { budget } = budgetOn(db, { leaseSize: 10 });
    await budget.reserve(1, 25);
    expect(await stored(db, 1)).toBe(25);
    for (let i = 0; i < 5; i++) expect(budget.consume(1, 5)).toBeUndefined();
    expect(await stored(db, 1)).toBe(25);
    // The reservation is used up: the next seal leases again.
    expect(budget.consume(1, 1)).toBeInstanceOf(Promise);
  });

  it('refuses a reservation near 2^32 invocations with StorageError key-exhausted', async () => {
    const db = await database();
    await db.table(KEYRING_STORE).put({ name: 'budget:record:1', inv: 2 ** 32 - 15, blk: 0 });
    const { budget, signals } = budgetOn(db, { leaseSize: 10 });
    await expect(budget.reserve(1, 10)).rejects.toMatchObject({ name: 'StorageError', code: 'key-exhausted' });
    expect(signals).toEqual([1]);
  });

  it('leases a batch larger than leaseSize in one go', async () => {
    const db = await database();
    const { budget } = budgetOn(db, { leaseSize: 10 });
    await budget.consume(1, 25);
    expect(await stored(db, 1)).toBe(25);
  });

  it('serializes concurrent consumers: 25 single seals with leases of 10 lease exactly 30', async () => {
    const db = await database();
    const { budget } = budgetOn(db, { leaseSize: 10 });
    await Promise.all(Array.from({ length: 25 }, () => budget.consume(1, 1)));
    expect(await stored(db, 1)).toBe(30);
  });

  it('counts each generation separately', async () => {
    const db = await database();
    const { budget } = budgetOn(db, { leaseSize: 10 });
    await budget.consume(1, 1);
    await budget.consume(2, 11);
    expect([await stored(db, 1), await stored(db, 2)]).toEqual([10, 11]);
  });

  it('gives two contexts sharing the database disjoint leases (tabs never reuse a share)', async () => {
    const db = await database();
    const a = budgetOn(db, { leaseSize: 10 }).budget;
    const b = budgetOn(db, { leaseSize: 10 }).budget;
    await a.consume(1, 1);
    await b.consume(1, 1);
    await a.consume(1, 9);
    expect(await stored(db, 1)).toBe(20);
    await b.consume(1, 10);
    expect(await stored(db, 1)).toBe(30);
  });

  it('signals the threshold once per generation, when the leased total reaches rotateAt', async () => {
    const db = await database();
    const { budget, signals } = budgetOn(db, { leaseSize: 10, rotateAt: 30 });
    for (let i = 0; i < 20; i++) await budget.consume(1, 1);
    expect(signals).toEqual([]);
    await budget.consume(1, 1);
    expect(signals).toEqual([1]);
    for (let i = 0; i < 30; i++) await budget.consume(1, 1);
    expect(signals).toEqual([1]);
    await budget.consume(2, 30);
    expect(signals).toEqual([1, 2]);
  });

  it('signals at the first lease of a page that opens past the threshold', async () => {
    const db = await database();
    await db.table(KEYRING_STORE).put({ name: 'budget:record:1', inv: 500, blk: 0 });
    const { budget, signals } = budgetOn(db, { leaseSize: 10, rotateAt: 100 });
    await budget.consume(1, 1);
    expect(signals).toEqual([1]);
  });

  it('refuses to seal near 2^32 invocations with StorageError key-exhausted, and signals so a rotation starts', async () => {
    const db = await database();
    await db.table(KEYRING_STORE).put({ name: 'budget:record:7', inv: 2 ** 32 - 15, blk: 0 });
    const { budget, signals } = budgetOn(db, { leaseSize: 10 });
    let error: unknown;
    await Promise.resolve(budget.consume(7, 1)).catch((e) => (error = e));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'key-exhausted', details: { generation: 7 } });
    expect(signals).toEqual([7]);
    expect(await stored(db, 7)).toBe(2 ** 32 - 15);
  });

  it('counts memory-only keys in memory and writes nothing to the keyring', async () => {
    const db = await database();
    const { budget, signals } = budgetOn(db, { leaseSize: 10, rotateAt: 20 }, true);
    await budget.consume(1, 15);
    await budget.consume(1, 1);
    expect(await budget.used(1)).toBe(25);
    expect(await db.table(KEYRING_STORE).count()).toBe(0);
    expect(signals).toEqual([1]);
  });

  it.each([
    { option: 'leaseSize', value: 0 },
    { option: 'leaseSize', value: 1.5 },
    { option: 'leaseSize', value: 2 ** 31 + 1 },
    { option: 'rotateAt', value: -1 },
    { option: 'rotateAt', value: Number.NaN },
  ])('rejects rotation.$option = $value with ValidationError invalid-option', async ({ option, value }) => {
    const db = await database();
    let error: unknown;
    try {
      createUsageBudget(db, { [option]: value }, () => undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'invalid-option', details: { option: `rotation.${option}` } });
  });
});
