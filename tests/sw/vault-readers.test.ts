import { describe, expect, it } from 'vitest';
import type { VaultFileReader } from '../../src/files/index.js';
import { createVaultReaders } from '../../sw/vault-readers.js';

function fakeReader(): VaultFileReader & { open_: boolean; forgotten: number } {
  const reader = {
    open_: true,
    forgotten: 0,
    open: async () => undefined,
    forgetKeys: () => void reader.forgotten++,
    isOpen: () => reader.open_,
    close: () => void (reader.open_ = false),
  };
  return reader;
}

describe('the worker keeps one file reader per vault', () => {
  it('reuses an open reader and replaces one whose connection closed', async () => {
    const opened: Array<ReturnType<typeof fakeReader>> = [];
    const readers = createVaultReaders(async () => {
      const r = fakeReader();
      opened.push(r);
      return r;
    });
    const first = await readers.get('sales');
    expect(await readers.get('sales')).toBe(first);
    first!.close(); // e.g. the page upgraded or deleted the database
    const second = await readers.get('sales');
    expect(second).not.toBe(first);
    expect(opened).toHaveLength(2);
  });

  it('does not remember a vault without a database, nor a failed open', async () => {
    let calls = 0;
    const readers = createVaultReaders(async () => {
      calls++;
      if (calls === 1) return undefined;
      if (calls === 2) throw new Error('open failed');
      return fakeReader();
    });
    expect(await readers.get('late')).toBeUndefined();
    await expect(readers.get('late')).rejects.toThrow('open failed');
    expect(await readers.get('late')).toBeDefined();
    expect(calls).toBe(3);
  });

  it('opens each vault once when requests race', async () => {
    let calls = 0;
    const readers = createVaultReaders(async () => {
      calls++;
      return fakeReader();
    });
    const [a, b] = await Promise.all([readers.get('v'), readers.get('v')]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
  });

  it('forwards a forget to the open reader of that vault only', async () => {
    const opened = new Map<string, ReturnType<typeof fakeReader>>();
    const readers = createVaultReaders(async (vault) => {
      const r = fakeReader();
      opened.set(vault, r);
      return r;
    });
    await readers.get('a');
    await readers.get('b');
    readers.forgetKeys('a');
    readers.forgetKeys('never-opened');
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the readers' promises settle
    expect([opened.get('a')!.forgotten, opened.get('b')!.forgotten]).toEqual([1, 0]);
  });
});
