// Issue 6, key rotation: `vault.rotateKeys()` on a device-level vault of 5,000 records pending in
// the outbox, the page closed (context.close(), no vault.close()) at about half of the background
// re-encryption, the browser relaunched on the same profile: the job resumes and ends with every
// envelope on generation 2 and the generation-1 keys deleted.
import { expect, test } from '@playwright/test';
import { LIFECYCLE_APP, NOTE, USER, useLifecycleHost } from './lifecycle-host.js';
import { launchProfile, useProfileDir, type ProfileBrowser } from './lifecycle-profile.js';
import { auditRawStores, rawKeyringNames, readRawMeta } from './lifecycle-raw.js';

const host = useLifecycleHost({ hostname: '127.0.0.1' });
const profileDir = useProfileDir();

const RECORDS = 5000;
const CHUNK = 100;
const OUTBOX_ROWS = RECORDS / CHUNK;
const VAULT = 'rotate';
const DB = `offline-vault/${VAULT}`;
const SEALED = [NOTE, '_outbox'];
const tagOf = (i: number) => `t${i % 7}`;

async function openLifeVault(browser: ProfileBrowser): Promise<void> {
  await browser.page.evaluate(
    async ({ spec, name }) => {
      window.life = { progress: [] };
      window.life.vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec), reencryptBatchSize: 100 });
      window.life.vault.on('reencrypt-progress', (p) => window.life.progress.push(p));
    },
    { spec: LIFECYCLE_APP, name: VAULT },
  );
}

/** Key generation of the raw envelope of note `id` (bytes 2..6 of `e`). */
function rawKeyIdOf([db, store, id]: [string, string, string]): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(db);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction(store).objectStore(store).get(id);
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        open.result.close();
        const e = (request.result as { e: Uint8Array }).e;
        resolve(((e[2]! << 24) | (e[3]! << 16) | (e[4]! << 8) | e[5]!) >>> 0);
      };
    };
  });
}

test('a key rotation interrupted at about 50% by closing the browser resumes on relaunch: every envelope on key 2, the old keys gone', async () => {
  test.setTimeout(180_000);
  const dir = profileDir();
  const notes = Array.from({ length: RECORDS }, (_, i) => ({ Text: `note ${i}`, Owner: USER, Tag: tagOf(i), N: i }));

  const first = await launchProfile(dir, host().origin);
  await openLifeVault(first);
  const ids = await first.page.evaluate(
    async ({ entity, notes, chunk }) => {
      const table = window.life.vault!.table(entity);
      const out: string[] = [];
      for (let i = 0; i < notes.length; i += chunk) out.push(...(await table.bulkPut(notes.slice(i, i + chunk))));
      return out;
    },
    { entity: NOTE, notes, chunk: CHUNK },
  );
  const before = await first.page.evaluate(rawKeyringNames, DB);
  expect(before).toEqual(['budget:record:1', 'file:1', `index:${NOTE}/Tag`, 'record:1']);

  // Rotate; once the job passed half, a write made meanwhile is checked and the page closed.
  let halfway: { done: number; total: number } | undefined;
  let closing: Promise<void> | undefined;
  let reached = () => {};
  const reachedHalf = new Promise<void>((resolve) => (reached = resolve));
  await first.page.exposeBinding('lifeHalfway', (_source, progress: { done: number; total: number }) => {
    if (closing !== undefined) return;
    halfway = progress;
    closing = first.context.close();
    reached();
  });
  const during = await first.page.evaluate(
    async ({ entity, firstId, db }) => {
      const vault = window.life.vault!;
      const keyIdOf = (id: string) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open(db);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const request = open.result.transaction(entity).objectStore(entity).get(id);
            request.onerror = () => reject(request.error);
            request.onsuccess = () => {
              open.result.close();
              const e = (request.result as { e: Uint8Array }).e;
              resolve(((e[2]! << 24) | (e[3]! << 16) | (e[4]! << 8) | e[5]!) >>> 0);
            };
          };
        });
      let written: Promise<{ id: string; keyId: number }> | undefined;
      let ready = false;
      vault.on('reencrypt-progress', (p) => {
        // Writes during the rotation (an update and a create), their raw key id read back; then,
        // past half of the job, the test closes the browser.
        written ??= (async () => {
          await vault.table(entity).update(firstId, { Text: 'updated during rotation' });
          const id = await vault.table(entity).put({ Text: 'written during rotation', Owner: 'ann', Tag: 't1', N: -1 });
          const keyId = await keyIdOf(id);
          ready = true;
          return { id, keyId };
        })();
        if (ready && p.kind === 'rotate' && p.done * 2 >= p.total) window.lifeHalfway?.(p);
      });
      void vault.rotateKeys().catch(() => undefined);
      await new Promise<void>((resolve) => vault.on('reencrypt-progress', () => written !== undefined && resolve()));
      return written!;
    },
    { entity: NOTE, firstId: ids[0]!, db: DB },
  );
  // New writes use the new key at once.
  expect(during.keyId).toBe(2);
  await reachedHalf;
  await closing;

  const second = await launchProfile(dir, host().origin);
  try {
    const page = second.page;
    const stored = await page.evaluate(readRawMeta, DB);
    expect(stored).toMatchObject({ encrypted: true, level: 'device', primary: 2, rekey: { kind: 'rotate' } });
    const cursor = stored!.rekey!;
    expect(cursor.done).toBeGreaterThanOrEqual(halfway!.done);
    expect(cursor.done).toBeLessThan(cursor.total);
    expect(await page.evaluate(rawKeyIdOf, [DB, NOTE, during.id] as [string, string, string])).toBe(2);
    const interrupted = await page.evaluate(auditRawStores, [DB, SEALED] as [string, string[]]);
    expect(interrupted[NOTE]).toMatchObject({ rows: RECORDS + 1, sealed: RECORDS + 1, keyIds: [1, 2] });
    expect(await page.evaluate(rawKeyringNames, DB)).toEqual(expect.arrayContaining(['record:1', 'record:2']));

    await openLifeVault(second);
    const resumed = await page.evaluate(
      async ({ entity }) => {
        const vault = window.life.vault!;
        const atOpen = vault.reencryption();
        await new Promise<void>((resolve) => {
          const check = () => (vault.reencryption() === null ? resolve() : setTimeout(check, 20));
          check();
        });
        const report = await vault.verifyEncryption();
        const all = await vault.table(entity).toArray();
        return {
          atOpen,
          progress: window.life.progress,
          notes: all.map((o) => [o.id, o['Text']] as [string, unknown]),
          tag1: await vault.table(entity).where('Tag').equals('t1').count(),
          pending: await vault.pendingChanges(),
          reportOk: report.ok,
          keyIds: [...new Set(report.stores.flatMap((s) => s.keyIds))],
          sealedStores: report.stores.filter((s) => s.sealed > 0).map((s) => s.name),
        };
      },
      { entity: NOTE },
    );
    expect(resumed.atOpen).toMatchObject({ kind: 'rotate', total: cursor.total });
    expect(resumed.progress[0]!.done).toBeGreaterThan(cursor.done);
    expect(resumed.progress.at(-1)).toEqual({ kind: 'rotate', done: cursor.total, total: cursor.total });

    const expected = new Map<string, unknown>(ids.map((id, i) => [id, notes[i]!.Text]));
    expected.set(ids[0]!, 'updated during rotation');
    expected.set(during.id, 'written during rotation');
    expect(new Map(resumed.notes)).toEqual(expected);
    expect(resumed.tag1).toBe(notes.filter((n) => n.Tag === 't1').length + 1);
    expect(resumed.pending).toBe(RECORDS + 1);
    expect(resumed.reportOk).toBe(true);
    expect(resumed.keyIds).toEqual([2]);
    expect(resumed.sealedStores).toEqual(expect.arrayContaining([NOTE, '_outbox']));
    expect(await page.evaluate(auditRawStores, [DB, SEALED] as [string, string[]])).toEqual({
      [NOTE]: { rows: RECORDS + 1, sealed: RECORDS + 1, plaintext: 0, plainIndexFields: 0, keyIds: [2] },
      _outbox: { rows: OUTBOX_ROWS + 2, sealed: OUTBOX_ROWS + 2, plaintext: 0, plainIndexFields: 0, keyIds: [2] },
    });
    // Generation 1 is destroyed: no key, index key or budget row of it is left.
    const names = await page.evaluate(rawKeyringNames, DB);
    expect(names).toEqual(['budget:record:2', 'file:2', `index:${NOTE}/Tag@2`, 'record:2']);
  } finally {
    await second.context.close();
  }
});
