// Page-side helpers of the multi-tab key-rotation suite (lifecycle-tabs.spec.ts): one vault kept
// open per page on `window.tabs`, raw reads of the Web Locks the vaults hold, and two ways to make
// a page miss the `offline-vault/<vault>/keys` broadcast of a rotation.
import { expect, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { NOTES_APP } from './notes-app.js';

/** Entity the suite writes. */
export const NOTE = 'Test.Note';

declare global {
  interface Window {
    /** State of the multi-tab suite: the vault this page holds open. */
    tabs?: {
      vault?: import('offline-vault').Vault;
      /** Whether the key broadcasts of this page are held back (see `deafen`). */
      deaf?: boolean;
      /** Key broadcasts held back while deaf, delivered by `hear`. */
      held?: (() => void)[];
    };
  }
}

/** Opens vault `name` in `page` (device level, encrypted) and keeps it on `window.tabs.vault`. */
export async function openTabVault(page: Page, name: string): Promise<void> {
  await page.evaluate(
    async ({ spec, name }) => {
      window.tabs ??= {};
      window.tabs.vault = await window.ov.openVault({ name, app: window.ov.defineApp(spec) });
    },
    { spec: NOTES_APP, name },
  );
}

/** Closes the vault of `page` and opens it again (a re-encryption left pending resumes). */
export async function reopenTabVault(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.tabs?.vault?.close());
  await openTabVault(page, name);
}

/** Creates one note per title in `page`'s vault; resolves with their ids. */
export function writeNotes(page: Page, titles: string[]): Promise<string[]> {
  return page.evaluate(
    async ({ entity, titles }) => window.tabs!.vault!.table(entity).bulkPut(titles.map((Title, Count) => ({ Title, Body: `body of ${Title}`, Tag: 'tab', Count }))),
    { entity: NOTE, titles },
  );
}

/** Every note `page`'s vault can read, as `[id, Title]` sorted by id. */
export function readNotes(page: Page): Promise<[string, string][]> {
  return page.evaluate(async (entity) => {
    const all = await window.tabs!.vault!.table(entity).toArray();
    return all.map((o) => [o.id, String(o['Title'])] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }, NOTE);
}

/** The generations whose shared lock `offline-vault/<vault>/gen/<g>` is granted (one entry per holder; requests not yet granted are left out). */
export function heldGenerations(page: Page, vault: string): Promise<number[]> {
  return page.evaluate(async (prefix) => {
    const { held = [] } = await navigator.locks.query();
    return held
      .filter((l) => l.name?.startsWith(prefix))
      .map((l) => Number(l.name!.slice(prefix.length)))
      .sort((a, b) => a - b);
  }, `offline-vault/${vault}/gen/`);
}

/** Waits until no context holds (or waits for) the generation lock `gen` of `vault` any more. */
export async function waitUntilReleased(page: Page, vault: string, gen: number): Promise<void> {
  const name = `offline-vault/${vault}/gen/${gen}`;
  // Polled from here: waitForFunction would take the predicate's promise itself as truthy.
  await expect
    .poll(() =>
      page.evaluate(async (name) => {
        const { held = [], pending = [] } = await navigator.locks.query();
        return [...held, ...pending].some((l) => l.name === name);
      }, name),
    )
    .toBe(false);
}

/** A page whose script execution is suspended by the debugger. */
export interface PausedPage {
  /** Resolves once the page actually stopped (its next script, e.g. a BroadcastChannel handler). */
  stopped: Promise<void>;
  /** Lets it run again (timers and IndexedDB events go on; BroadcastChannel messages may be lost). */
  resume(): Promise<void>;
}

/**
 * Suspends `page`'s main thread the way a frozen tab is: `Debugger.pause` stops at the next script
 * the page runs and, while stopped, the page runs no task, so it does not act on a BroadcastChannel
 * message while the Web Locks it holds stay held. (`Page.setWebLifecycleState` 'frozen' is accepted
 * by this headless Chromium but does nothing on a visible page: messages and timers still run.)
 * Chromium drops BroadcastChannel messages that arrive while a page is stopped this way (at most
 * the one whose handler it stopped in is still delivered), so after `resume` the page may never
 * hear of them: it is a tab that missed the broadcast.
 */
export async function pauseScripts(context: BrowserContext, page: Page): Promise<PausedPage> {
  const session: CDPSession = await context.newCDPSession(page);
  await session.send('Debugger.enable');
  const stopped = new Promise<void>((resolve) => session.once('Debugger.paused', () => resolve()));
  await session.send('Debugger.pause');
  return {
    stopped,
    async resume() {
      await session.send('Debugger.resume');
      await session.send('Debugger.disable');
      await session.detach();
    },
  };
}

/**
 * Installs, before the page opens its vault, a BroadcastChannel whose key broadcasts
 * (`offline-vault/<vault>/keys`) can be held back: while `window.tabs.deaf` is true they are
 * queued, and `hear` delivers them. The page stays fully alive (it reads and writes) but keeps
 * sealing with the generation it knew: a tab that has not yet heard of a rotation.
 */
export async function installDeafChannel(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.tabs ??= {};
    const state = window.tabs;
    state.held = [];
    const Native = window.BroadcastChannel;
    // The vault sets `onmessage`; an own accessor on the instance takes the handler instead, and
    // one listener delivers each message now or queues it.
    function HeldBackChannel(name: string): BroadcastChannel {
      const channel = new Native(name);
      if (!name.endsWith('/keys')) return channel;
      let handler: ((this: BroadcastChannel, ev: MessageEvent) => unknown) | null = null;
      Object.defineProperty(channel, 'onmessage', { get: () => handler, set: (h: typeof handler) => (handler = h) });
      channel.addEventListener('message', (ev) => {
        const deliver = () => handler?.call(channel, ev);
        if (state.deaf === true) state.held!.push(deliver);
        else deliver();
      });
      return channel;
    }
    window.BroadcastChannel = HeldBackChannel as unknown as typeof BroadcastChannel;
  });
}

/** Starts holding back the key broadcasts of `page` (see `installDeafChannel`). */
export async function deafen(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.tabs!.deaf = true;
  });
}

/** Stops holding back and delivers what was held; resolves with how many broadcasts that was. */
export function hear(page: Page): Promise<number> {
  return page.evaluate(() => {
    const state = window.tabs!;
    state.deaf = false;
    const held = state.held!.splice(0);
    for (const deliver of held) deliver();
    return held.length;
  });
}
