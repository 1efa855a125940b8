import { describe, expect, it } from 'vitest';
import { createDbId, openRecord, sealRecord } from '../../src/crypto/index.js';
import type { RecordContext } from '../../src/crypto/index.js';
import { canaryPayload, ctx, expectIntegrityError, makeKeys, withDbId } from './fixtures.js';

const keys = await makeKeys();
const INTEGRITY = ['integrity-check-failed'];

describe('AAD binds an envelope to its database, store, schema version and primary key', () => {
  it('detects two records of one store with swapped envelopes (P6)', async () => {
    const a = await sealRecord(keys, ctx('a'), canaryPayload(100));
    const b = await sealRecord(keys, ctx('b'), canaryPayload(100));
    await expectIntegrityError(openRecord(keys, ctx('a'), b), INTEGRITY);
    await expectIntegrityError(openRecord(keys, ctx('b'), a), INTEGRITY);
  });

  const moves: [string, RecordContext, RecordContext][] = [
    ['another store (P7)', ctx('k'), ctx('k', 'sales_invoice')],
    ['a store whose name is a prefix', ctx('k', 'sales_order'), ctx('k', 'sales_orde')],
    ['another schema version (P9)', ctx('k', 'sales_order', 1), ctx('k', 'sales_order', 2)],
    ['a number key that prints the same as the string key', ctx('1'), ctx(1)],
    ['a one-element array key', ctx('1'), ctx(['1'])],
    ['a date key with the same milliseconds', ctx(1700000000000), ctx(new Date(1700000000000))],
    ['a binary key with the same bytes as the string', ctx('ab'), ctx(new Uint8Array([0x61, 0x62]))],
    ['an array key split differently', ctx(['ab', 'c']), ctx(['a', 'bc'])],
  ];

  it.each(moves)('detects a record moved to %s', async (_name, from, to) => {
    const env = await sealRecord(keys, from, canaryPayload(64));
    await expectIntegrityError(openRecord(keys, to, env), INTEGRITY);
    await expect(openRecord(keys, from, env)).resolves.toEqual(canaryPayload(64));
  });

  it('detects a record copied to another database with the same keys but another dbId (P8)', async () => {
    const env = await sealRecord(keys, ctx('k'), canaryPayload(100));
    await expectIntegrityError(openRecord(withDbId(keys, createDbId()), ctx('k'), env), INTEGRITY);
  });

  it('rejects an envelope sealed under a different record key with the same keyId', async () => {
    const other = await makeKeys();
    const env = await sealRecord({ ...other, dbId: keys.dbId }, ctx('k'), canaryPayload(100));
    await expectIntegrityError(openRecord(keys, ctx('k'), env), INTEGRITY);
  });

  it('accepts binary keys that IndexedDB returns as an ArrayBuffer or another view of the same bytes', async () => {
    const id = crypto.getRandomValues(new Uint8Array(16));
    const env = await sealRecord(keys, ctx(id), canaryPayload(40));
    const padded = new Uint8Array(32);
    padded.set(id, 8);
    for (const same of [id.slice().buffer, new DataView(padded.buffer, 8, 16), padded.subarray(8, 24)]) {
      await expect(openRecord(keys, ctx(same as IDBValidKey), env)).resolves.toEqual(canaryPayload(40));
    }
  });

  it('treats -0 and 0 as the same key, as IndexedDB does', async () => {
    const env = await sealRecord(keys, ctx(-0), canaryPayload(20));
    await expect(openRecord(keys, ctx(0), env)).resolves.toEqual(canaryPayload(20));
  });
});
