// A sync server (the built dist/server, SQLite in memory) mounted at /sync/ on the same origin as
// the built harness, one per test file, with a log of the requests it answered and helpers that act
// as another device on the server side.
import { test } from '@playwright/test';
import { startStaticServer, fetchHandler, type StaticServer } from '../../scripts/static-server.mjs';
import { DEMO_DIST } from '../fixtures.js';

/** The built package (npm run build), typed through its sources. */
const DIST = new URL('../../dist/', import.meta.url);
type ServerModule = typeof import('../../src/server/index.js');
type AppModule = typeof import('../../src/app/index.js');

/** The app of the browser sync tests, as a plain spec (the page builds it with `ov.defineApp`). */
export const NOTES_SYNC_APP = {
  roles: ['User', 'Admin'],
  entities: { 'Notes.Note': { attributes: { Text: 'string', Owner: 'string' } } },
  accessRules: {
    'Notes.Note': [
      { roles: ['User'], create: true, delete: true, members: { Text: 'readwrite', Owner: 'readwrite' }, xpath: "[Owner = '[%CurrentUser%]']" },
      { roles: ['Admin'], create: true, delete: true, members: '*' },
    ],
  },
} as const;

const USERS: Record<string, { id: string; roles: string[] }> = {
  't-ann': { id: 'ann', roles: ['User'] },
  't-bob': { id: 'bob', roles: ['User'] },
  't-admin': { id: 'admin', roles: ['Admin'] },
};

export interface SyncHost {
  /** Origin of the harness and the server (`http://127.0.0.1:<port>/`). */
  origin: string;
  /** Base URL the vaults sync with. */
  syncUrl: string;
  /** Path (`/v1/...`) and bearer token of every request the sync server answered, in order. */
  requests: { path: string; token: string }[];
  /** Holds every sync request until `resume()` (to make two syncs overlap for sure). */
  pause(): void;
  resume(): void;
  /** Uploads changes as `token` over HTTP, as another device would. */
  upload(token: string, changes: Record<string, unknown>[]): Promise<{ status: string }[]>;
}

/** Starts the host before the tests of this file and stops it after them. */
export function useSyncHost(): () => SyncHost {
  let host: SyncHost | undefined;
  let web: StaticServer | undefined;
  let closeStore: (() => Promise<void>) | undefined;
  test.beforeAll(async () => {
    const { createSyncServer, openSqliteStore } = (await import(new URL('server/index.js', DIST).href)) as ServerModule;
    const { defineApp } = (await import(new URL('app/index.js', DIST).href)) as AppModule;
    const store = await openSqliteStore(':memory:');
    closeStore = () => store.close();
    const requests: SyncHost['requests'] = [];
    const server = createSyncServer({
      app: defineApp(structuredClone(NOTES_SYNC_APP) as Parameters<AppModule['defineApp']>[0]),
      store,
      authenticate: async (request: Request) => USERS[(request.headers.get('authorization') ?? '').replace(/^Bearer /, '')] ?? null,
    });
    let gate: { promise: Promise<void>; open: () => void } | undefined;
    const counted = async (request: Request): Promise<Response> => {
      const path = new URL(request.url).pathname.replace(/^\/sync/, '');
      requests.push({ path, token: (request.headers.get('authorization') ?? '').replace(/^Bearer /, '') });
      await gate?.promise;
      return server.handler(request);
    };
    web = await startStaticServer({ root: DEMO_DIST, port: 0, handlers: [fetchHandler('/sync/', counted)] });
    const syncUrl = `${web.url}sync`;
    host = {
      origin: web.url,
      syncUrl,
      requests,
      pause() {
        let open = () => {};
        const promise = new Promise<void>((resolve) => (open = resolve));
        gate = { promise, open };
      },
      resume() {
        gate?.open();
        gate = undefined;
      },
      async upload(token, changes) {
        const response = await fetch(`${syncUrl}/v1/upload`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ protocol: 1, clientId: `e2e-${token}`, changes: changes.map((c) => ({ mutationId: crypto.randomUUID(), ...c })) }),
        });
        if (!response.ok) throw new Error(`upload failed: ${response.status}`);
        return ((await response.json()) as { results: { status: string }[] }).results;
      },
    };
  });
  test.afterAll(async () => {
    await web?.close();
    await closeStore?.();
  });
  return () => {
    if (host === undefined) throw new Error('sync host not started');
    return host;
  };
}
