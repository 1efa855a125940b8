import { IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileKey, type FileKeys } from '../../src/crypto/index.js';
import { fileUrl, openVaultFileReader, rewrapFileHeaders, serveFileKeysToWorker } from '../../src/files/index.js';
import { askPagesForFileKeys } from '../../sw/ask-pages-for-file-keys.js';
import { serveVaultFile } from '../../sw/file-response.js';
import { createVaultReaders, type VaultReaders } from '../../sw/vault-readers.js';
import { createWorkerFileKeySource } from '../../sw/worker-file-key-source.js';
import type { WindowClientLike } from '../../sw/worker-scope.js';
import { byteDiff, randomBytes, S } from '../files/file-fixture.js';
import { closeKeyedVaults, keyedVault, protectFileKeys } from '../files/key-fixture.js';
import { fakeContainer, pageOf, scopeWith, silentPage } from './page-fixture.js';

const PREFIX = '/vault-files/';
const URL_P1 = `https://app.test${fileUrl(PREFIX, 'files', 'p1')}`;
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  closeKeyedVaults();
});

/** A vault at the passphrase level with one encrypted and one plain file, and a worker over it. */
async function setup(level: 'passphrase' | 'passkey' = 'passphrase') {
  const v = await keyedVault();
  const data = randomBytes(2 * S + 11);
  await v.store().put('Docs.Photo', 'p1', new Blob([data], { type: 'image/png' }));
  await v.store(undefined, false).put('Docs.Photo', 'plain', new Blob([data], { type: 'image/gif' }));
  const keys = await protectFileKeys(v.db, v.dbId, level);
  let pages: WindowClientLike[] = [];
  const asked: unknown[] = [];
  const scope = scopeWith(() => pages);
  const readers: VaultReaders = createVaultReaders((vault) =>
    openVaultFileReader(
      vault,
      { indexedDB: v.indexedDB, IDBKeyRange },
      { keySource: (db) => createWorkerFileKeySource(db, (dbId) => askPagesForFileKeys(scope, vault, dbId, 20)) },
    ),
  );
  /** Opens a page serving `keys()` (undefined: locked). */
  const openPage = (provide: () => FileKeys | undefined) => {
    const container = fakeContainer();
    stops.push(serveFileKeysToWorker('files', provide, container));
    pages.push(pageOf(container, asked));
  };
  const get = (url = URL_P1) => serveVaultFile(new Request(url), PREFIX, readers);
  return { db: v.db, keys, data, readers, asked, openPage, get, closeAll: () => void (pages = []), addSilent: () => pages.push(silentPage(asked)) };
}

describe('the service worker at the passphrase / passkey levels', () => {
  it.each(['passphrase', 'passkey'] as const)('answers 423 Locked with no body when no page is open (%s)', async (level) => {
    const w = await setup(level);
    const res = await w.get();
    expect([res.status, res.statusText, res.body]).toEqual([423, 'Locked', null]);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('answers 423 when every open page is locked or silent', async () => {
    const w = await setup();
    w.openPage(() => undefined);
    w.addSilent();
    expect((await w.get()).status).toBe(423);
    expect(w.asked).toHaveLength(2);
  });

  it('serves the file with the keys of an unlocked page, asking once and keeping them in memory', async () => {
    const w = await setup();
    let unlocked: FileKeys | undefined = w.keys;
    w.openPage(() => unlocked);
    const res = await w.get();
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('image/png');
    expect(byteDiff(new Uint8Array(await res.arrayBuffer()), w.data)).toBe('equal');
    const ranged = await serveVaultFile(new Request(URL_P1, { headers: { Range: `bytes=${S}-${S + 9}` } }), PREFIX, w.readers);
    expect(byteDiff(new Uint8Array(await ranged.arrayBuffer()), w.data.subarray(S, S + 10))).toBe('equal');
    expect(w.asked).toHaveLength(1);
    unlocked = undefined; // the page locks; the worker still holds the keys until told or stopped
    expect((await w.get()).status).toBe(200);
    w.readers.forgetKeys('files'); // the page's forget message
    expect((await w.get()).status).toBe(423);
    expect(w.asked).toHaveLength(2);
  });

  it('asks again after a 423 once a page unlocks', async () => {
    const w = await setup();
    let unlocked: FileKeys | undefined;
    w.openPage(() => unlocked);
    expect((await w.get()).status).toBe(423);
    unlocked = w.keys;
    expect((await w.get()).status).toBe(200);
  });

  it('still serves plain files, which need no key', async () => {
    const w = await setup();
    const res = await w.get(`https://app.test${fileUrl(PREFIX, 'files', 'plain')}`);
    expect(res.status).toBe(200);
    expect(byteDiff(new Uint8Array(await res.arrayBuffer()), w.data)).toBe('equal');
    expect(w.asked).toEqual([]);
  });

  it('answers 404 for an unknown object without asking any page', async () => {
    const w = await setup();
    w.openPage(() => w.keys);
    expect((await w.get(`https://app.test${fileUrl(PREFIX, 'files', 'nope')}`)).status).toBe(404);
    expect(w.asked).toEqual([]);
  });

  it('asks again when a file is under a generation it does not hold (the page rotated meanwhile)', async () => {
    const w = await setup();
    let unlocked: FileKeys = w.keys;
    w.openPage(() => unlocked);
    expect((await w.get()).status).toBe(200);
    const g2 = await createFileKey(2);
    unlocked = { dbId: w.keys.dbId, all: new Map([...w.keys.all, [2, g2.key]]), primary: g2 };
    expect(await rewrapFileHeaders(w.db, unlocked)).toMatchObject({ rewrapped: 1 });
    const res = await w.get();
    expect(res.status).toBe(200);
    expect(byteDiff(new Uint8Array(await res.arrayBuffer()), w.data)).toBe('equal');
    expect(w.asked).toHaveLength(2);
  });
});
