import { chromium, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import { expect, openHarness, test } from '../fixtures.js';
import { NOTES_APP } from './notes-app.js';

/** Writes three notes into vault `name` and returns them as read back. */
async function writeNotes(page: Page, name: string): Promise<Array<Record<string, unknown>>> {
  return page.evaluate(
    async ({ spec, name }) => {
      const vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec) });
      const notes = vault.table('Test.Note');
      const ids = await notes.bulkPut([
        { Title: 'first', Body: 'Grüße, 東京 🚀', Tag: 'a', Count: 1 },
        { Title: 'second', Body: null, Tag: 'b', Count: -2147483648 },
        { Title: 'third', Body: 'x'.repeat(10_000), Tag: 'a', Count: 3 },
      ]);
      const back = await notes.bulkGet(ids);
      vault.close();
      return back as Array<Record<string, unknown>>;
    },
    { spec: NOTES_APP, name },
  );
}

/** Reopens vault `name` and reads every note, plus an index query. */
async function readNotes(page: Page, name: string): Promise<{ all: Array<Record<string, unknown>>; tagA: number; encrypted: boolean }> {
  return page.evaluate(
    async ({ spec, name }) => {
      const vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec) });
      const notes = vault.table('Test.Note');
      const all = (await notes.toArray()) as Array<Record<string, unknown>>;
      const tagA = await notes.where('Tag').equals('a').count();
      const encrypted = vault.encrypted;
      vault.close();
      return { all, tagA, encrypted };
    },
    { spec: NOTES_APP, name },
  );
}

const byTitle = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a['Title']).localeCompare(String(b['Title']));

test.describe('persistence', () => {
  test('the vault asks for persistent storage and exposes the browser answer', async ({ harness }) => {
    const result = await harness.evaluate(async (spec) => {
      const vault = await window.ov.openVault({ name: 'persist', app: window.ov.defineApp(spec) });
      const asked = vault.persisted;
      const now = await navigator.storage.persisted();
      vault.close();
      const notAsked = await window.ov.openVault({ name: 'persist', app: window.ov.defineApp(spec), requestPersistence: false });
      const skipped = notAsked.persisted;
      notAsked.close();
      return { asked, now, skipped };
    }, NOTES_APP);
    expect(typeof result.asked).toBe('boolean');
    expect(result.asked).toBe(result.now);
    expect(result.skipped).toBeNull();
  });

  test('keys and data survive a page reload', async ({ harness, origin }) => {
    const written = await writeNotes(harness, 'reload');
    expect(written).toHaveLength(3);

    await harness.reload();
    await openHarness(harness, origin);
    const read = await readNotes(harness, 'reload');

    expect(read.encrypted).toBe(true);
    expect(read.all.sort(byTitle)).toEqual([...written].sort(byTitle));
    expect(read.tagA).toBe(2);
  });

  test('keys and data survive a browser restart with the same profile', async ({ origin }) => {
    const userDataDir = await mkdtemp(join(tmpdir(), 'ov-profile-'));
    const launch = () => chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const first = await launch();
      const written = await writeNotes(await openHarness(await first.newPage(), origin), 'restart');
      await first.close();

      const second = await launch();
      const read = await readNotes(await openHarness(await second.newPage(), origin), 'restart');
      await second.close();

      expect(read.encrypted).toBe(true);
      expect(read.all.sort(byTitle)).toEqual([...written].sort(byTitle));
      expect(read.tagA).toBe(2);
    } finally {
      await rm(userDataDir, { recursive: true, force: true });
    }
  });
});
