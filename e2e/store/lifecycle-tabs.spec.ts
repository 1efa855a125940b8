// Issue 6, key rotation with several tabs: every open vault holds the shared Web Lock
// `offline-vault/<vault>/gen/<g>` of the generation it seals with and reloads its keys on the
// `offline-vault/<vault>/keys` broadcast; the rotation's final step deletes the retired keys only
// once no other context holds a retired generation's lock, else it stops ('reencryption-paused')
// and finishes on a later resume.
import type { Page } from '@playwright/test';
import { expect, openHarness, test } from '../fixtures.js';
import { auditRawStores, rawKeyringNames, readRawMeta } from './lifecycle-raw.js';
import {
  NOTE,
  deafen,
  hear,
  heldGenerations,
  installDeafChannel,
  openTabVault,
  pauseScripts,
  readNotes,
  reopenTabVault,
  waitUntilReleased,
  writeNotes,
} from './lifecycle-tabs-page.js';

const SEALED = [NOTE, '_outbox'];
const dbOf = (vault: string) => `offline-vault/${vault}`;
const titles = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);

/** Key generations of every raw envelope of the sealed stores, per store, and the row counts. */
async function rawKeyIds(page: Page, vault: string): Promise<Record<string, { rows: number; sealed: number; keyIds: number[] }>> {
  const audit = await page.evaluate(auditRawStores, [dbOf(vault), SEALED] as [string, string[]]);
  return Object.fromEntries(Object.entries(audit).map(([store, a]) => [store, { rows: a.rows, sealed: a.sealed, keyIds: a.keyIds }]));
}

/** Names of the raw `_keyring` rows of `vault`. */
const keyringOf = (page: Page, vault: string) => page.evaluate(rawKeyringNames, dbOf(vault));

/** Key generation of the raw envelope of each note in `ids` (bytes 2..6 of `e`, big-endian). */
function rawNoteKeyIds(page: Page, vault: string, ids: string[]): Promise<number[]> {
  return page.evaluate(
    async ({ db, store, ids }) => {
      const open = indexedDB.open(db);
      const conn = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      try {
        const tx = conn.transaction(store);
        const rows = await Promise.all(
          ids.map(
            (id) =>
              new Promise<{ e: Uint8Array }>((resolve, reject) => {
                const request = tx.objectStore(store).get(id);
                request.onsuccess = () => resolve(request.result as { e: Uint8Array });
                request.onerror = () => reject(request.error);
              }),
          ),
        );
        return rows.map(({ e }) => ((e[2]! << 24) | (e[3]! << 16) | (e[4]! << 8) | e[5]!) >>> 0);
      } finally {
        conn.close();
      }
    },
    { db: dbOf(vault), store: NOTE, ids },
  );
}

/** rotateKeys() in `page`: 'resolved', or the code it rejected with. */
function rotate(page: Page): Promise<string> {
  return page.evaluate(() =>
    window.tabs!.vault!.rotateKeys().then(
      () => 'resolved',
      (error: { code?: string }) => error.code ?? String(error),
    ),
  );
}

/** Joins the pending re-encryption in `page` (enableEncryption on an encrypted vault): 'resolved' or the code. */
function joinReencryption(page: Page): Promise<string> {
  return page.evaluate(() =>
    window.tabs!.vault!.enableEncryption().then(
      () => 'resolved',
      (error: { code?: string }) => error.code ?? String(error),
    ),
  );
}

const sortedPairs = (ids: string[], names: string[]) => ids.map((id, i) => [id, names[i]!] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : 1));

test('after a rotation in one tab, the other tab seals with the new key and the old key is deleted', async ({ context, harness: a, origin }) => {
  const vault = 'tabs-rotate';
  const b = await openHarness(await context.newPage(), origin);
  await openTabVault(a, vault);
  await openTabVault(b, vault);
  const aTitles = titles('a', 30);
  const bBefore = titles('b-before', 5);
  const aIds = await writeNotes(a, aTitles);
  const bIdsBefore = await writeNotes(b, bBefore);
  await expect.poll(() => heldGenerations(a, vault)).toEqual([1, 1]);

  expect(await rotate(a)).toBe('resolved');

  const bAfter = titles('b-after', 5);
  const bIdsAfter = await writeNotes(b, bAfter);
  expect(await rawNoteKeyIds(a, vault, bIdsAfter)).toEqual([2, 2, 2, 2, 2]);
  const raw = await rawKeyIds(a, vault);
  expect(raw[NOTE]).toEqual({ rows: 40, sealed: 40, keyIds: [2] });
  expect(raw['_outbox']).toMatchObject({ sealed: raw['_outbox']!.rows, keyIds: [2] });
  const keyring = await keyringOf(a, vault);
  expect(keyring).toContain('record:2');
  expect(keyring).not.toContain('record:1');
  expect(keyring.filter((n) => n.startsWith('index:') && !n.includes('@'))).toEqual([]); // generation-1 index keys
  expect(await a.evaluate(readRawMeta, dbOf(vault))).toMatchObject({ primary: 2, rekey: null });
  await expect.poll(() => heldGenerations(a, vault)).toEqual([2, 2]);

  const everything = sortedPairs([...aIds, ...bIdsBefore, ...bIdsAfter], [...aTitles, ...bBefore, ...bAfter]);
  expect(await readNotes(a)).toEqual(everything);
  expect(await readNotes(b)).toEqual(everything);
});

test('a frozen tab keeps the old key alive: the rotation pauses, then a later open finishes it and every row stays readable', async ({ context, harness: a, origin }) => {
  const vault = 'tabs-frozen';
  const b = await openHarness(await context.newPage(), origin);
  await openTabVault(a, vault);
  await openTabVault(b, vault);
  const aTitles = titles('a', 30);
  const bBefore = titles('b-before', 5);
  const aIds = await writeNotes(a, aTitles);
  const bIdsBefore = await writeNotes(b, bBefore);

  // B stops at the next script it runs (the rotation's key broadcast) and keeps holding gen/1.
  const frozen = await pauseScripts(context, b);
  expect(await rotate(a)).toBe('reencryption-paused');
  await frozen.stopped;

  await expect.poll(() => heldGenerations(a, vault)).toEqual([1, 2]);
  const keyringPaused = await keyringOf(a, vault);
  expect(keyringPaused).toEqual(expect.arrayContaining(['record:1', 'record:2']));
  expect(await a.evaluate(readRawMeta, dbOf(vault))).toMatchObject({ primary: 2, rekey: { kind: 'rotate' } });
  // Every row was already moved: only the key deletion waits for B.
  const rawPaused = await rawKeyIds(a, vault);
  expect(rawPaused[NOTE]).toEqual({ rows: 35, sealed: 35, keyIds: [2] });
  expect(rawPaused['_outbox']!.keyIds).toEqual([2]);

  // B runs again. The broadcasts it got while stopped may be lost (see pauseScripts): until it
  // reloads, it still seals with generation 1. Nothing finishes the job meanwhile.
  await frozen.resume();
  const bThawed = titles('b-thawed', 5);
  const bIdsThawed = await writeNotes(b, bThawed);
  expect(await keyringOf(a, vault)).toEqual(expect.arrayContaining(['record:1', 'record:2']));
  expect(await a.evaluate(readRawMeta, dbOf(vault))).toMatchObject({ primary: 2, rekey: { kind: 'rotate' } });

  // A later open resumes the job; its final step tells the tabs to reload again, B does, and the
  // job moves B's rows and deletes generation 1.
  await reopenTabVault(a, vault);
  expect(await joinReencryption(a)).toBe('resolved');
  const keyring = await keyringOf(a, vault);
  expect(keyring).toContain('record:2');
  expect(keyring).not.toContain('record:1');
  expect(await a.evaluate(readRawMeta, dbOf(vault))).toMatchObject({ primary: 2, rekey: null });
  await expect.poll(() => heldGenerations(a, vault)).toEqual([2, 2]);
  const bAfter = titles('b-after', 5);
  const bIdsAfter = await writeNotes(b, bAfter);
  expect(await rawNoteKeyIds(a, vault, bIdsAfter)).toEqual([2, 2, 2, 2, 2]);
  const raw = await rawKeyIds(a, vault);
  expect(raw[NOTE]).toEqual({ rows: 45, sealed: 45, keyIds: [2] });
  expect(raw['_outbox']!.keyIds).toEqual([2]);

  const everything = sortedPairs([...aIds, ...bIdsBefore, ...bIdsThawed, ...bIdsAfter], [...aTitles, ...bBefore, ...bThawed, ...bAfter]);
  expect(await readNotes(a)).toEqual(everything);
  expect(await readNotes(b)).toEqual(everything);
});

test('rows a tab seals with the old key before it hears of the rotation are moved by the resumed job and stay readable', async ({ context, harness: a, origin }) => {
  const vault = 'tabs-lagging';
  const b = await openHarness(await context.newPage(), origin);
  await installDeafChannel(b);
  await openTabVault(a, vault);
  await openTabVault(b, vault);
  const aTitles = titles('a', 30);
  const bBefore = titles('b-before', 5);
  const aIds = await writeNotes(a, aTitles);
  const bIdsBefore = await writeNotes(b, bBefore);

  // B stays alive but does not hear the rotation: it keeps generation 1.
  await deafen(b);
  expect(await rotate(a)).toBe('reencryption-paused');
  await expect.poll(() => heldGenerations(a, vault)).toEqual([1, 2]);
  expect((await rawKeyIds(a, vault))[NOTE]).toEqual({ rows: 35, sealed: 35, keyIds: [2] });

  const bLagging = titles('b-lagging', 5);
  const bIdsLagging = await writeNotes(b, bLagging);
  expect(await rawNoteKeyIds(a, vault, bIdsLagging)).toEqual([1, 1, 1, 1, 1]);

  // B hears the broadcasts held back, reloads and moves to gen/2.
  expect(await hear(b)).toBeGreaterThan(0);
  await waitUntilReleased(a, vault, 1);
  const bAfter = titles('b-after', 5);
  const bIdsAfter = await writeNotes(b, bAfter);
  expect(await rawNoteKeyIds(a, vault, bIdsAfter)).toEqual([2, 2, 2, 2, 2]);
  expect(await keyringOf(a, vault)).toContain('record:1');

  // The resumed job finds B's generation-1 rows, walks again, then deletes generation 1.
  await reopenTabVault(a, vault);
  expect(await joinReencryption(a)).toBe('resolved');
  expect(await keyringOf(a, vault)).not.toContain('record:1');
  expect(await a.evaluate(readRawMeta, dbOf(vault))).toMatchObject({ primary: 2, rekey: null });
  const raw = await rawKeyIds(a, vault);
  expect(raw[NOTE]).toEqual({ rows: 45, sealed: 45, keyIds: [2] });
  expect(raw['_outbox']!.keyIds).toEqual([2]);

  const everything = sortedPairs(
    [...aIds, ...bIdsBefore, ...bIdsLagging, ...bIdsAfter],
    [...aTitles, ...bBefore, ...bLagging, ...bAfter],
  );
  expect(await readNotes(a)).toEqual(everything);
  expect(await readNotes(b)).toEqual(everything);
});
