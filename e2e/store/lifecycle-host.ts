// The origin of the encryption-lifecycle suites: the built harness (demo-dist/) and, mounted at
// /sync/, the built sync server on SQLite in memory, whose database the tests read directly.
// Passkey suites need `http://localhost:<port>/` (WebAuthn refuses an IP address as RP ID); the
// server still listens on 127.0.0.1 only, and Chromium resolves localhost to it.
import { test } from '@playwright/test';
import type { AppSpec } from 'offline-vault/app';
import { fetchHandler, startStaticServer, type StaticServer } from '../../scripts/static-server.mjs';
import { DEMO_DIST } from '../fixtures.js';

const DIST = new URL('../../dist/', import.meta.url);
type ServerModule = typeof import('../../src/server/index.js');
type AppModule = typeof import('../../src/app/index.js');
type SyncStore = import('../../src/server/index.js').SyncStore;

/** Entity of the lifecycle suites. */
export const NOTE = 'Life.Note';

/** Notes with a blind-indexed Tag, synced per owner; a file entity for the sign-out test. */
export const LIFECYCLE_APP: AppSpec = {
  roles: ['User'],
  entities: {
    [NOTE]: { attributes: { Text: 'string', Owner: 'string', Tag: 'string', N: 'integer' }, indexes: ['Tag'] },
    'Life.Photo': { file: 'file', attributes: { Name: 'string' } },
  },
  accessRules: {
    [NOTE]: [{ roles: ['User'], create: true, delete: true, members: { Text: 'readwrite', Owner: 'readwrite', Tag: 'readwrite', N: 'readwrite' }, xpath: "[Owner = '[%CurrentUser%]']" }],
    'Life.Photo': [{ roles: ['User'], create: true, delete: true, members: { Name: 'readwrite' } }],
  },
};

/** The token the browser syncs with, and the user it names. */
export const TOKEN = 't-ann';
export const USER = 'ann';

export interface LifecycleHost {
  /** Origin of the harness, `http://127.0.0.1:<port>/` or `http://localhost:<port>/`. */
  origin: string;
  /** Base URL the vaults sync with. */
  syncUrl: string;
  /** `id -> Text` of every live note in the server's database. */
  serverNotes(): Promise<Map<string, string>>;
}

/** Starts the host before the tests of the file and stops it after them. */
export function useLifecycleHost(options: { hostname: '127.0.0.1' | 'localhost' }): () => LifecycleHost {
  let host: LifecycleHost | undefined;
  let web: StaticServer | undefined;
  let store: SyncStore | undefined;
  test.beforeAll(async () => {
    const { createSyncServer, openSqliteStore } = (await import(new URL('server/index.js', DIST).href)) as ServerModule;
    const { defineApp } = (await import(new URL('app/index.js', DIST).href)) as AppModule;
    const opened = openSqliteStore(':memory:');
    store = opened;
    const server = createSyncServer({
      app: defineApp(structuredClone(LIFECYCLE_APP)),
      store: opened,
      authenticate: async (request: Request) =>
        (request.headers.get('authorization') ?? '') === `Bearer ${TOKEN}` ? { id: USER, roles: ['User'] } : null,
    });
    web = await startStaticServer({ root: DEMO_DIST, port: 0, handlers: [fetchHandler('/sync/', (r: Request) => server.handler(r))] });
    const origin = options.hostname === 'localhost' ? web.url.replace('//127.0.0.1:', '//localhost:') : web.url;
    host = {
      origin,
      syncUrl: `${origin}sync`,
      async serverNotes() {
        const rows = await opened.transaction('read', (tx) => tx.all(`SELECT "id", "Text" FROM "${NOTE}"`));
        return new Map(rows.map((r) => [String(r['id']), String(r['Text'])]));
      },
    };
  });
  test.afterAll(async () => {
    await web?.close();
    await store?.close();
  });
  return () => {
    if (host === undefined) throw new Error('lifecycle host not started');
    return host;
  };
}
