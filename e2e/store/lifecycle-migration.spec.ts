// Issue 6, "turning encryption on": a plaintext vault with 5,000 records pending in the outbox is
// migrated in place while the app reads and writes; the browser is killed (SIGKILL, no
// vault.close()) at about half of the job; the relaunched browser on the same profile resumes it,
// and then the outbox syncs to the server.
import { expect, test } from '@playwright/test';
import { makeCanaries } from './notes-app.js';
import { scanOrigin } from './scan-origin.js';
import { LIFECYCLE_APP, NOTE, TOKEN, USER, useLifecycleHost } from './lifecycle-host.js';
import { killBrowser, launchProfile, useProfileDir, type ProfileBrowser } from './lifecycle-profile.js';
import { auditRawStores, readRawMeta } from './lifecycle-raw.js';

const host = useLifecycleHost({ hostname: '127.0.0.1' });
const profileDir = useProfileDir();

const RECORDS = 5000;
const BATCH = 100;
/** bulkPut in chunks: one outbox row per write, so the outbox has rows of its own to migrate. */
const CHUNK = 100;
const OUTBOX_ROWS = RECORDS / CHUNK;
const VAULT = 'migrate';
const DB = `offline-vault/${VAULT}`;
const SEALED = [NOTE, '_outbox'];
const tagOf = (i: number) => `t${i % 7}`;

/** Opens the vault in the page as `window.life.vault`, recording re-encryption progress. */
async function openLifeVault(browser: ProfileBrowser, encrypted: boolean, armed: boolean): Promise<void> {
  await browser.page.evaluate(
    async ({ spec, name, url, token, encrypted, batch, armed }) => {
      window.life = { progress: [], armed };
      const vault = await window.ov.openVault({
        name,
        app: window.ov.defineApp(spec),
        encryption: { database: encrypted },
        sync: { url, token },
        reencryptBatchSize: batch,
      });
      vault.on('reencrypt-progress', (p) => {
        window.life.progress.push(p);
        if (window.life.armed === true && p.kind === 'migrate' && p.done * 2 >= p.total) window.lifeHalfway?.(p);
      });
      window.life.vault = vault;
    },
    { spec: LIFECYCLE_APP, name: VAULT, url: host().syncUrl, token: TOKEN, encrypted, batch: BATCH, armed },
  );
}

test('a plaintext vault with 5,000 pending records, written to during its migration and killed half-way, resumes on relaunch: nothing lost, no plaintext left, then synced', async () => {
  test.setTimeout(240_000);
  const dir = profileDir();
  const canaries = makeCanaries(RECORDS);
  const notes = canaries.map((canary, i) => ({ Text: `note ${i} ${canary}`, Owner: USER, Tag: tagOf(i), N: i }));

  // 1. Plaintext vault, 5,000 records written and pending in the outbox (never synced).
  const first = await launchProfile(dir, host().origin);
  await openLifeVault(first, false, false);
  const written = await first.page.evaluate(
    async ({ entity, notes, chunk }) => {
      const vault = window.life.vault!;
      const ids: string[] = [];
      for (let i = 0; i < notes.length; i += chunk) ids.push(...(await vault.table(entity).bulkPut(notes.slice(i, i + chunk))));
      const out = { ids, encrypted: vault.encrypted, level: vault.securityLevel, pending: await vault.pendingChanges() };
      vault.close();
      return out;
    },
    { entity: NOTE, notes, chunk: CHUNK },
  );
  expect(written).toMatchObject({ encrypted: false, level: 'none', pending: RECORDS });
  const expected = new Map(written.ids.map((id, i) => [id, notes[i]!.Text]));
  expect(expected.size).toBe(RECORDS);
  // Positive control: the raw audit and the scan see the plaintext of this vault.
  expect(await first.page.evaluate(auditRawStores, [DB, SEALED] as [string, string[]])).toEqual({
    [NOTE]: { rows: RECORDS, sealed: 0, plaintext: RECORDS, plainIndexFields: RECORDS, keyIds: [] },
    _outbox: { rows: OUTBOX_ROWS, sealed: 0, plaintext: OUTBOX_ROWS, plainIndexFields: 0, keyIds: [] },
  });
  expect((await first.page.evaluate(scanOrigin, canaries)).found).toHaveLength(RECORDS);

  // 2. Reopened with encryption on: the migration starts; the app reads and writes meanwhile (a
  //    record not migrated yet is read and updated, one is created); at about 50% the browser is killed.
  let halfway: { done: number; total: number } | undefined;
  let ended: Promise<'killed' | 'closed'> | undefined;
  let reached = () => {};
  const reachedHalf = new Promise<void>((resolve) => (reached = resolve));
  await first.page.exposeBinding('lifeHalfway', (_source, progress: { done: number; total: number }) => {
    if (ended !== undefined) return;
    halfway = progress;
    ended = killBrowser(first);
    reached();
  });
  await openLifeVault(first, true, false);
  const lastId = [...written.ids].sort().at(-1)!; // the walk goes in id order: the last one migrates last
  const during = await first.page.evaluate(
    async ({ entity, lastId, db }) => {
      const vault = window.life.vault!;
      const rawRow = (id: string) =>
        new Promise<{ sealed: boolean; plain: boolean }>((resolve, reject) => {
          const open = indexedDB.open(db);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const request = open.result.transaction(entity).objectStore(entity).get(id);
            request.onerror = () => reject(request.error);
            request.onsuccess = () => {
              open.result.close();
              const row = request.result as Record<string, unknown>;
              resolve({ sealed: row['e'] instanceof Uint8Array, plain: 'd' in row });
            };
          };
        });
      // openVault resolves before the migration job is stored (reported to the lead): wait for it.
      await new Promise<void>((resolve) => {
        const check = () => (vault.reencryption() !== null ? resolve() : setTimeout(check, 5));
        check();
      });
      const jobBefore = vault.reencryption();
      const rawBefore = await rawRow(lastId);
      const read = (await vault.table(entity).get(lastId))?.['Text'];
      await vault.table(entity).update(lastId, { Text: 'updated during migration' });
      const createdId = await vault.table(entity).put({ Text: 'written during migration', Owner: 'ann', Tag: 't3', N: -1 });
      const rawAfter = [await rawRow(lastId), await rawRow(createdId)];
      const jobAfter = vault.reencryption();
      window.life.armed = true;
      return { jobBefore, rawBefore, read, createdId, rawAfter, jobAfter };
    },
    { entity: NOTE, lastId, db: DB },
  );
  expect(during.jobBefore).toMatchObject({ kind: 'migrate' });
  expect(during.rawBefore).toEqual({ sealed: false, plain: true });
  expect(during.read).toBe(expected.get(lastId));
  // Writes during the migration are sealed at once.
  expect(during.rawAfter).toEqual([
    { sealed: true, plain: false },
    { sealed: true, plain: false },
  ]);
  expect(during.jobAfter).toMatchObject({ kind: 'migrate' });
  expected.set(lastId, 'updated during migration');
  expected.set(during.createdId, 'written during migration');
  await reachedHalf;
  expect(await ended).toBe('killed');
  expect(halfway!.done * 2).toBeGreaterThanOrEqual(halfway!.total);

  // 3. Relaunched on the same profile: the stored job is part-way, then resumes on open.
  const second = await launchProfile(dir, host().origin);
  try {
    const page = second.page;
    const stored = await page.evaluate(readRawMeta, DB);
    expect(stored).toMatchObject({ encrypted: true, level: 'device', primary: 1, rekey: { kind: 'migrate' } });
    const cursor = stored!.rekey!;
    // Every row of the sealed stores (the _meta rows too); killed mid-way through the records.
    expect(cursor.total).toBeGreaterThanOrEqual(RECORDS + OUTBOX_ROWS);
    expect(cursor.done).toBeGreaterThanOrEqual(halfway!.done);
    expect(cursor.done).toBeLessThan(cursor.total);
    const interrupted = await page.evaluate(auditRawStores, [DB, SEALED] as [string, string[]]);
    expect(interrupted[NOTE]!.rows + interrupted._outbox!.rows).toBe(RECORDS + 1 + OUTBOX_ROWS + 2);
    expect(interrupted[NOTE]!.sealed + interrupted._outbox!.sealed).toBeGreaterThan(0);
    expect(interrupted[NOTE]!.plaintext + interrupted._outbox!.plaintext).toBeGreaterThan(0);

    await openLifeVault(second, true, false);
    const resumed = await page.evaluate(
      async ({ entity }) => {
        const vault = window.life.vault!;
        const atOpen = vault.reencryption();
        await new Promise<void>((resolve) => {
          const check = () => (vault.reencryption() === null ? resolve() : setTimeout(check, 20));
          check();
        });
        const all = await vault.table(entity).toArray();
        const outbox = await vault.outbox();
        const report = await vault.verifyEncryption();
        return {
          atOpen,
          progress: window.life.progress,
          encrypted: vault.encrypted,
          level: vault.securityLevel,
          count: await vault.table(entity).count(),
          notes: all.map((o) => [o.id, o['Text']] as [string, unknown]),
          tag3: await vault.table(entity).where('Tag').equals('t3').count(),
          pending: await vault.pendingChanges(),
          outbox: outbox.map((c) => `${c.entity}/${c.op}/${c.id}`),
          reportOk: report.ok,
          unexpectedPlaintext: report.stores.reduce((n, s) => n + s.unexpectedPlaintext, 0),
          keyIds: report.stores.filter((s) => s.name === entity || s.name === '_outbox').map((s) => [s.name, s.keyIds]),
        };
      },
      { entity: NOTE },
    );
    expect(resumed.atOpen).toMatchObject({ kind: 'migrate', total: cursor.total });
    expect(resumed.atOpen!.done).toBeLessThan(cursor.total);
    // Resumed from the stored cursor, not from the start.
    expect(resumed.progress[0]!.done).toBeGreaterThan(cursor.done);
    expect(resumed.progress.at(-1)).toEqual({ kind: 'migrate', done: cursor.total, total: cursor.total });
    expect(resumed).toMatchObject({ encrypted: true, level: 'device', count: RECORDS + 1, pending: RECORDS + 1, reportOk: true, unexpectedPlaintext: 0 });
    expect(new Map(resumed.notes)).toEqual(expected);
    expect(resumed.tag3).toBe(notes.filter((n) => n.Tag === 't3').length + 1);
    // The outbox as it was, plus the two writes made during the migration.
    const outbox = [...written.ids.map((id) => `${NOTE}/create/${id}`), `${NOTE}/update/${lastId}`, `${NOTE}/create/${during.createdId}`];
    expect(resumed.outbox.sort()).toEqual(outbox.sort());
    expect(Object.fromEntries(resumed.keyIds)).toEqual({ [NOTE]: [1], _outbox: [1] });
    expect(await page.evaluate(auditRawStores, [DB, SEALED] as [string, string[]])).toEqual({
      [NOTE]: { rows: RECORDS + 1, sealed: RECORDS + 1, plaintext: 0, plainIndexFields: 0, keyIds: [1] },
      _outbox: { rows: OUTBOX_ROWS + 2, sealed: OUTBOX_ROWS + 2, plaintext: 0, plainIndexFields: 0, keyIds: [1] },
    });
    expect((await page.evaluate(scanOrigin, canaries)).found).toEqual([]);

    // 4. The kept outbox syncs: the server's database holds the 5,000 notes.
    const synced = await page.evaluate(async () => {
      const vault = window.life.vault!;
      const result = await vault.sync();
      const report = await vault.verifyEncryption();
      return { uploaded: result.uploaded, rejected: result.rejected, pending: await vault.pendingChanges(), reportOk: report.ok };
    });
    expect(synced).toEqual({ uploaded: RECORDS + 1, rejected: 0, pending: 0, reportOk: true });
    expect(await host().serverNotes()).toEqual(expected);
    expect((await page.evaluate(scanOrigin, canaries)).found).toEqual([]);
  } finally {
    await second.context.close();
  }
});
