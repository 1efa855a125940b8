import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';
import { makeCanaries, NOTES_APP } from './notes-app.js';
import { scanOrigin } from './scan-origin.js';

const RECORDS = 1000;

/** Writes RECORDS notes whose Title, Body and Tag each hold a distinct canary; returns them all. */
async function writeCanaryNotes(page: Page, name: string, encrypted: boolean): Promise<{ canaries: string[]; vaultEncrypted: boolean }> {
  const canaries = makeCanaries(RECORDS * 3 + 10);
  const vaultEncrypted = await page.evaluate(
    async ({ spec, name, encrypted, canaries, records }) => {
      const app = window.ov.defineApp(spec);
      const vault = await window.ov.openVault({ name, app, encryption: { database: encrypted } });
      const notes = vault.table('Test.Note');
      const objects = Array.from({ length: records }, (_, i) => ({
        Title: canaries[i],
        Body: `body ${canaries[records + i]} end`,
        Tag: canaries[2 * records + i],
        Count: i,
      }));
      const ids = await notes.bulkPut(objects);
      // Updates go through their own write path: cover it too.
      for (let i = 0; i < 10; i++) await notes.update(ids[i]!, { Body: canaries[3 * records + i]! });
      const back = await notes.get(ids[0]!);
      const byTitle = await notes.where('Title').equals(canaries[5]!).toArray();
      if (back?.['Body'] !== canaries[3 * records] || byTitle.length !== 1 || byTitle[0]?.['Count'] !== 5) {
        throw new Error('vault did not read back what was written');
      }
      const isEncrypted = vault.encrypted;
      vault.close();
      return isEncrypted;
    },
    { spec: NOTES_APP, name, encrypted, canaries, records: RECORDS },
  );
  return { canaries, vaultEncrypted };
}

/** Writes one canary into a plain IndexedDB database of the same origin (the positive control). */
async function writePlainControl(page: Page, canary: string): Promise<void> {
  await page.evaluate(async (canary) => {
    const open = indexedDB.open('plain-control', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('things');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction('things', 'readwrite');
    tx.objectStore('things').put({ note: { lines: ['first', `x${canary}y`] } }, 'row-1');
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, canary);
}

test.describe('encryption at rest', () => {
  test('no plaintext of 1,000 encrypted records appears anywhere in the origin\'s IndexedDB, while a plain control is found', async ({ harness }) => {
    const { canaries, vaultEncrypted } = await writeCanaryNotes(harness, 'canary', true);
    expect(vaultEncrypted).toBe(true);
    const [control] = makeCanaries(1) as [string];
    await writePlainControl(harness, control);

    const scan = await harness.evaluate(scanOrigin, [...canaries, control]);

    expect(scan.databases).toEqual(expect.arrayContaining(['offline-vault/canary', 'plain-control']));
    expect(scan.stores).toEqual(expect.arrayContaining(['offline-vault/canary/Test.Note', 'offline-vault/canary/_outbox']));
    expect(scan.rows).toBeGreaterThanOrEqual(RECORDS + 1);
    expect(scan.indexEntries).toBeGreaterThanOrEqual(RECORDS * 2);
    expect(scan.hits.filter((hit) => hit.db !== 'plain-control')).toEqual([]);
    expect(scan.found).toEqual([control]);
  });

  test('the scanner finds canaries in values, nested objects, keys, index keys, bytes and blobs', async ({ harness }) => {
    const canaries = makeCanaries(9);
    const scan = await harness.evaluate(async ([c0, c1, c2, c3, c4, c5, c6, c7, c8]) => {
      const utf16 = (text: string, offset: number): Uint8Array => {
        const bytes = new Uint8Array(offset + text.length * 2);
        for (let i = 0; i < text.length; i++) bytes[offset + 2 * i] = text.charCodeAt(i);
        return bytes;
      };
      const open = indexedDB.open('scanner-control', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('things').createIndex('byTag', 'tag');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const tx = db.transaction('things', 'readwrite');
      const store = tx.objectStore('things');
      store.put({ deep: { list: ['x', { s: `<${c0}>` }] } }, 'nested');
      store.put(1, c1!);
      store.put({ tag: [7, c2] }, 'indexed');
      store.put(new TextEncoder().encode(`..${c3}..`), 'utf8');
      store.put(utf16(c4!, 0).buffer, 'utf16');
      store.put(utf16(c5!, 1), 'utf16-odd');
      store.put(new Blob([`blob ${c6}`]), 'blob');
      store.put(new Map([['k', c7]]), 'map');
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
      return null;
    }, canaries);
    expect(scan).toBeNull();

    const result = await harness.evaluate(scanOrigin, [...canaries, ...makeCanaries(1)]);

    expect(new Set(result.found)).toEqual(new Set(canaries.slice(0, 8)));
    const parts = (canary: string): string[] => result.hits.filter((hit) => hit.canary === canary).map((hit) => `${hit.part}/${hit.encoding}`);
    expect(parts(canaries[1]!)).toContain('primary-key/string');
    expect(parts(canaries[2]!)).toContain('index-key:byTag/string');
    expect(parts(canaries[3]!)).toContain('value/utf-8');
    expect(parts(canaries[4]!)).toContain('value/utf-16le');
    expect(parts(canaries[5]!)).toContain('value/utf-16le+1');
  });

  test('with encryption off the same scan finds the plaintext canaries', async ({ harness }) => {
    const { canaries, vaultEncrypted } = await writeCanaryNotes(harness, 'plain', false);
    expect(vaultEncrypted).toBe(false);

    const scan = await harness.evaluate(scanOrigin, canaries);

    const found = new Set(scan.found);
    const missing = canaries.filter((c, i) => !found.has(c) && !(i >= RECORDS && i < RECORDS + 10)); // Bodies 0..9 were replaced
    expect(missing).toEqual([]);
    // Both declared indexes (Title, Tag) hold plaintext keys; index names are the store's choice.
    const indexHits = Object.entries(scan.hitsByPart)
      .filter(([where]) => where.startsWith('offline-vault/plain/Test.Note/index-key:'))
      .map(([, count]) => count);
    expect(indexHits).toEqual([RECORDS, RECORDS]);
  });
});
