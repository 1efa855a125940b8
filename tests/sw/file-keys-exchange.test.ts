import { describe, expect, it } from 'vitest';
import { createDbId, createFileHeader, createFileKey, openFileHeader, type FileKeys } from '../../src/crypto/index.js';
import { FILE_KEYS_MESSAGE, FORGET_FILE_KEYS_MESSAGE, forgetFileKeysInWorker, serveFileKeysToWorker } from '../../src/files/index.js';
import { askPagesForFileKeys } from '../../sw/ask-pages-for-file-keys.js';
import { fakeContainer, pageOf, scopeWith, silentPage } from './page-fixture.js';

const SHORT = 20; // ms a silent page gets; only pages that never answer wait for it

async function fileKeys(gens: number[] = [1, 2]): Promise<FileKeys> {
  const all = new Map<number, CryptoKey>();
  for (const g of gens) all.set(g, (await createFileKey(g)).key);
  const keyId = Math.max(...gens);
  return { dbId: createDbId(), all, primary: { keyId, key: all.get(keyId)! } };
}

describe('file keys from an unlocked page to the service worker', () => {
  it('sends every generation; the worker gets usable, still non-extractable CryptoKeys', async () => {
    const keys = await fileKeys();
    const page = fakeContainer();
    const asked: unknown[] = [];
    const stop = serveFileKeysToWorker('sales', () => keys, page);
    const got = await askPagesForFileKeys(scopeWith(() => [pageOf(page, asked)]), 'sales', keys.dbId, SHORT);
    stop();
    expect(asked).toEqual([{ type: FILE_KEYS_MESSAGE, vault: 'sales' }]);
    expect([...got!.all.keys()].sort()).toEqual([1, 2]);
    expect(got!.primary?.keyId).toBe(2);
    expect([...got!.all.values()].every((k) => k instanceof CryptoKey && !k.extractable)).toBe(true);
    const { header } = await createFileHeader(keys);
    await expect(openFileHeader(got!, header)).resolves.toMatchObject({ fileId: header.slice(4, 20) });
  });

  it.each<[string, (keys: FileKeys) => () => FileKeys | undefined, string]>([
    ['the page is locked', () => () => undefined, 'sales'],
    ['the page serves another vault only', (keys) => () => keys, 'other'],
    ['the page has no file key yet', (keys) => () => ({ dbId: keys.dbId, all: new Map() }), 'sales'],
  ])('gets no keys when %s', async (_, provider, served) => {
    const keys = await fileKeys();
    const page = fakeContainer();
    const replies: unknown[] = [];
    const stop = serveFileKeysToWorker(served, provider(keys), page);
    // Watch the raw reply too: a locked page answers `{ locked: true }` rather than staying silent.
    const channel = new MessageChannel();
    const replied = new Promise((resolve) => (channel.port1.onmessage = (e) => resolve(e.data)));
    page.deliver({ type: FILE_KEYS_MESSAGE, vault: 'sales' }, [channel.port2]);
    replies.push(await replied);
    channel.port1.close();
    expect(replies).toEqual([{ locked: true }]);
    expect(await askPagesForFileKeys(scopeWith(() => [pageOf(page)]), 'sales', keys.dbId, SHORT)).toBeUndefined();
    stop();
  });

  it('ignores an answer for another database (the vault was deleted and created again)', async () => {
    const keys = await fileKeys();
    const page = fakeContainer();
    const stop = serveFileKeysToWorker('sales', () => keys, page);
    expect(await askPagesForFileKeys(scopeWith(() => [pageOf(page)]), 'sales', createDbId(), SHORT)).toBeUndefined();
    stop();
  });

  it('takes the first usable answer among several pages: locked, silent and unlocked', async () => {
    const keys = await fileKeys([1]);
    const locked = fakeContainer();
    const unlocked = fakeContainer();
    const stops = [serveFileKeysToWorker('sales', () => undefined, locked), serveFileKeysToWorker('sales', () => keys, unlocked)];
    const got = await askPagesForFileKeys(scopeWith(() => [pageOf(locked), silentPage(), pageOf(unlocked)]), 'sales', keys.dbId, SHORT);
    expect(got?.primary?.keyId).toBe(1);
    for (const stop of stops) stop();
  });

  it('answers with keys from any unlocked vault instance of the page, read at request time', async () => {
    const keys = await fileKeys([3]);
    const page = fakeContainer();
    let current: FileKeys | undefined;
    const stops = [serveFileKeysToWorker('sales', () => undefined, page), serveFileKeysToWorker('sales', () => current, page)];
    const scope = scopeWith(() => [pageOf(page)]);
    expect(await askPagesForFileKeys(scope, 'sales', keys.dbId, SHORT)).toBeUndefined();
    current = keys;
    expect((await askPagesForFileKeys(scope, 'sales', keys.dbId, SHORT))?.primary?.keyId).toBe(3);
    for (const stop of stops) stop();
  });

  it('unsubscribes: the last unsubscribe removes the page listener, and nothing answers', async () => {
    const keys = await fileKeys();
    const page = fakeContainer();
    const a = serveFileKeysToWorker('sales', () => keys, page);
    const b = serveFileKeysToWorker('hr', () => keys, page);
    expect(page.listeners.size).toBe(1);
    a();
    a(); // twice is harmless
    expect(page.listeners.size).toBe(1);
    b();
    expect(page.listeners.size).toBe(0);
    expect(await askPagesForFileKeys(scopeWith(() => [pageOf(page)]), 'sales', keys.dbId, SHORT)).toBeUndefined();
  });

  it('is a no-op without navigator.serviceWorker, and the worker gets nothing without pages', async () => {
    expect((globalThis as { navigator?: { serviceWorker?: unknown } }).navigator?.serviceWorker).toBeUndefined();
    const stop = serveFileKeysToWorker('sales', () => undefined);
    expect(stop()).toBeUndefined();
    await expect(forgetFileKeysInWorker('sales')).resolves.toBeUndefined();
    expect(await askPagesForFileKeys(scopeWith(() => []), 'sales', createDbId(), SHORT)).toBeUndefined();
  });

  it('tells the controlling worker to forget a vault’s keys', async () => {
    const page = fakeContainer();
    await forgetFileKeysInWorker('sales', page);
    expect(page.posted).toEqual([{ type: FORGET_FILE_KEYS_MESSAGE, vault: 'sales' }]);
  });
});
