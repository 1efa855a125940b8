import { expect } from 'vitest';
import { IntegrityError } from '../../src/core/errors.js';
import { createKeySet } from '../../src/crypto/index.js';
import type { KeySet, RecordContext } from '../../src/crypto/index.js';

export const CANARY = 'CANARY-7f3a9c2e51d84b06';
export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** A key set with one record key (keyId 1) and two index keys. */
export function makeKeys(): Promise<KeySet> {
  return createKeySet(['Sales.Order/Status', 'Sales.Order/Email']);
}

/** Same keys, another dbId (what a copied record sees in a second database). */
export function withDbId(keys: KeySet, dbId: Uint8Array): KeySet {
  return { ...keys, dbId };
}

export const ctx = (primaryKey: IDBValidKey, store = 'sales_order', schemaVersion = 1): RecordContext => ({
  store,
  schemaVersion,
  primaryKey,
});

/** A payload of exactly `n` bytes that contains the canary (n >= canary length). */
export function canaryPayload(n: number): Uint8Array {
  const text = (CANARY + 'x'.repeat(Math.max(0, n - CANARY.length))).slice(0, n);
  return encoder.encode(text);
}

/**
 * Awaits `p`, expects an IntegrityError whose code is in `codes`, and checks that neither its
 * message nor its JSON nor its cause chain mention the canary. Returns the error code.
 */
export async function expectIntegrityError(p: Promise<unknown>, codes: readonly string[]): Promise<string> {
  let caught: unknown;
  try {
    await p;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(IntegrityError);
  const error = caught as IntegrityError;
  expect(codes).toContain(error.code);
  let link: unknown = error;
  while (link instanceof Error) {
    expect(link.message).not.toContain(CANARY);
    expect(String(link.stack)).not.toContain(CANARY);
    link = link.cause;
  }
  expect(JSON.stringify(error)).not.toContain(CANARY);
  return error.code;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
