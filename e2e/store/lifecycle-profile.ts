// Persistent Chromium profiles for the encryption-lifecycle suites (issue 6): a profile directory
// per test, launches with the flags of e2e/chromium.ts, a graceful close and an abrupt kill, and
// the built harness (`window.ov`) opened on a given origin.
import { chromium, test, type BrowserContext, type Page } from '@playwright/test';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import { openHarness } from '../fixtures.js';

/** A browser on a persistent profile, with one page on the harness. */
export interface ProfileBrowser {
  context: BrowserContext;
  page: Page;
  /** The browser process (Linux), for an abrupt kill. */
  pid: number | undefined;
}

/** Browsers launched and not closed yet (a failed test leaves them to the afterEach). */
const running = new Set<BrowserContext>();

/** A fresh profile directory before each test of the file, removed after it (its browsers closed first). */
export function useProfileDir(): () => string {
  let dir: string | undefined;
  test.beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ov-lifecycle-'));
  });
  test.afterEach(async () => {
    await Promise.all([...running].map((context) => context.close().catch(() => undefined)));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error('no profile directory');
    return dir;
  };
}

/** Launches Chromium on `dir` and opens the harness of `origin` in its first page. */
export async function launchProfile(dir: string, origin: string): Promise<ProfileBrowser> {
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  running.add(context);
  context.once('close', () => running.delete(context));
  const page = context.pages()[0] ?? (await context.newPage());
  const pid = await browserPid(dir);
  await openHarness(page, origin);
  return { context, page, pid };
}

/**
 * The pid of the browser process running on profile `dir` (Linux /proc): the process whose
 * command line names this user-data-dir and is not a child (`--type=`).
 */
async function browserPid(dir: string): Promise<number | undefined> {
  const flag = `--user-data-dir=${dir}`;
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await readFile(`/proc/${entry}/cmdline`, 'utf8').then(
      (text) => text.split('\0'),
      () => [] as string[],
    );
    if (args.includes(flag) && !args.some((a) => a.startsWith('--type='))) return Number(entry);
  }
  return undefined;
}

/**
 * Ends the browser abruptly (call it at once, e.g. inside a binding): SIGKILL of its process (no unload, no vault.close()), as a crash or
 * a killed app would. Where the process cannot be found, closes the context instead.
 */
export async function killBrowser(browser: ProfileBrowser): Promise<'killed' | 'closed'> {
  if (browser.pid === undefined) {
    await browser.context.close();
    return 'closed';
  }
  const closed = new Promise<void>((resolve) => browser.context.once('close', () => resolve()));
  process.kill(browser.pid, 'SIGKILL');
  await closed;
  return 'killed';
}

declare global {
  interface Window {
    /** Page state of the lifecycle suites: the open vault and the re-encryption progress it reported. */
    life: {
      vault?: import('offline-vault').Vault;
      progress: { kind: string; done: number; total: number }[];
      /** Whether `lifeHalfway` may be called (false while the test still writes during the job). */
      armed?: boolean;
    };
    /** Binding of the interrupted re-encryption tests: called once the job is about half done. */
    lifeHalfway?: (progress: { done: number; total: number }) => void;
  }
}
