import type { AppDefinition } from '../app/index.js';
import type { Emitter } from '../core/emitter.js';
import { isVaultError, SyncError, UserMismatchError } from '../core/errors.js';
import { DEFAULT_SYNC_LIMITS, PROTOCOL_VERSION, SYNC_ROUTES, type ActionResponse, type SessionResponse, type SyncUser } from '../core/sync-protocol.js';
import type { SyncErrorEntry, SyncStore } from '../store/sync-store-types.js';
import type { PageOutcome } from './apply-page.js';
import { objectKey, type NetChange } from './coalesce-changes.js';
import { downloadAll, fullSyncEntities } from './download-changes.js';
import { downloadObjects } from './download-objects.js';
import type { FileSyncHooks } from './file-sync.js';
import { createDownloadScreen } from './screen-download.js';
import { withLock } from './sync-lock.js';
import type { ProtocolViolationEvent, SyncProgress, SyncResult, SyncRunOptions, VaultEvents } from './sync-types.js';
import { checkAborted, createTransport, type SyncConfig, type Transport } from './transport.js';
import { uploadChanges } from './upload-changes.js';

const CLIENT_KEY = 'client';
/** `_syncState` key of the last completed full sync: `{ id, result }` (counts only). */
const LAST_SYNC_KEY = 'last-sync';
const UPLOAD_BATCH = 500;

/** The sync side of a vault. */
export interface SyncEngine {
  /** The user this vault belongs to; null until a server named one. */
  readonly user: SyncUser | null;
  sync(options?: SyncRunOptions): Promise<SyncResult>;
  /** Resolves when no sync of this vault runs (used before sign-out). */
  idle(): Promise<void>;
  /** Reads the stored user again (after an unlock: a locked vault cannot open the sealed user row). */
  reloadUser(): Promise<void>;
  call(name: string, input?: unknown): Promise<unknown>;
  syncErrors(): Promise<SyncErrorEntry[]>;
  clearSyncError(id: string): Promise<boolean>;
}

function checkSession(session: SessionResponse | undefined): SyncUser {
  const user = session?.user;
  if (typeof user?.id !== 'string' || !Array.isArray(user.roles) || user.roles.some((r) => typeof r !== 'string')) {
    throw new SyncError('bad-response', 'The server did not name the user');
  }
  return { id: user.id, roles: [...user.roles] };
}

/** Creates the sync engine of an open vault. `config` undefined: sync and call fail with `not-configured`. */
export async function createSyncEngine(deps: {
  name: string;
  app: AppDefinition;
  store: SyncStore;
  config: SyncConfig | undefined;
  events: Emitter<VaultEvents>;
  /** File sync: contents upload before the objects, changed files are revalidated after the download. */
  files?: FileSyncHooks;
}): Promise<SyncEngine> {
  const { app, store, events } = deps;
  // A vault opened locked cannot read its sealed user row yet: unknown until `reloadUser`.
  let user: SyncUser | null = await store.getUser().catch((error: unknown) => {
    if (isVaultError(error) && error.code === 'locked') return null;
    throw error;
  });
  let running: Promise<SyncResult> | undefined;
  const transport: Transport | undefined = deps.config === undefined ? undefined : createTransport(deps.config);
  const needTransport = (): Transport => {
    if (transport === undefined) throw new SyncError('not-configured', 'openVault was called without a sync configuration', { vault: deps.name });
    return transport;
  };

  async function run(options: SyncRunOptions): Promise<SyncResult> {
    const t = needTransport();
    const { signal } = options;
    const progress = (p: SyncProgress) => {
      options.onProgress?.(p);
      events.emit('sync-progress', p);
    };
    checkAborted(signal);
    const session = await t.request<SessionResponse>('GET', SYNC_ROUTES.session, undefined, { retry: true, signal });
    const named = checkSession(session);
    user = await store.getUser(); // another tab may have named the user since this vault opened
    if (user !== null && user.id !== named.id) {
      throw new UserMismatchError('user-mismatch', 'The server authenticated another user than the one this vault belongs to; sign out first', {
        vault: deps.name,
      });
    }
    if (user === null || user.roles.join('\u0000') !== named.roles.join('\u0000')) {
      await store.setUser(named);
      user = named;
    }
    const limits = { ...DEFAULT_SYNC_LIMITS, ...(session.limits ?? {}) };
    let clientId = await store.getState<string>(CLIENT_KEY);
    if (clientId === undefined) {
      clientId = globalThis.crypto.randomUUID();
      await store.mutate(async () => ({ mutation: { state: [{ key: CLIENT_KEY, value: clientId }] }, result: undefined }));
    }

    const result: SyncResult = { uploaded: 0, rejected: 0, downloaded: 0, purged: 0, violations: 0 };
    const purged = new Map<string, string[]>();
    const changed = new Map<string, Set<string>>();
    const touch = (entity: string, id: string) => {
      let set = changed.get(entity);
      if (set === undefined) changed.set(entity, (set = new Set()));
      set.add(id);
    };
    try {
      // Selective sync uploads the listed objects; a full sync skips `never` entities (Mendix).
      const selection = options.objects === undefined ? undefined : new Set(options.objects.map((o) => objectKey(o.entity, o.id)));
      const include = (c: NetChange) =>
        selection === undefined ? app.syncProfile.get(c.entity)?.mode !== 'never' : selection.has(objectKey(c.entity, c.id));
      const batchSize = Math.min(UPLOAD_BATCH, limits.maxChangesPerUpload);
      if (deps.files !== undefined) {
        // Mendix order: file contents first; a failed file upload aborts the sync before any object moves.
        const fileInclude = (entity: string, id: string) =>
          selection === undefined ? app.syncProfile.get(entity)?.mode !== 'never' : selection.has(objectKey(entity, id));
        result.filesUploaded = await deps.files.beforeUpload({ session, signal, include: fileInclude });
        checkAborted(signal);
      }
      const up = await uploadChanges({ store, transport: t, clientId, batchSize, signal, include, progress });
      result.uploaded = up.uploaded;
      result.rejected = up.rejected;
      for (const r of up.removed) touch(r.entity, r.id);
      checkAborted(signal);

      const report = (v: ProtocolViolationEvent) => {
        result.violations++;
        events.emit('protocol-violation', v);
      };
      const env = {
        app,
        store,
        transport: t,
        screen: createDownloadScreen(app, named, report),
        limits,
        signal,
        progress,
        report,
        applied(outcome: PageOutcome) {
          result.downloaded += outcome.written.length;
          result.purged += outcome.purged.length;
          for (const w of outcome.written) touch(w.entity, w.id);
          for (const p of outcome.purged) {
            touch(p.entity, p.id);
            const key = `${p.entity}\u0000${p.reason}`;
            purged.set(key, [...(purged.get(key) ?? []), p.id]);
          }
        },
      };
      if (options.objects !== undefined) await downloadObjects(env, options.objects);
      else await downloadAll(env, fullSyncEntities(app));
      if (deps.files !== undefined) {
        const purgedList = [...purged].flatMap(([key, ids]) => ids.map((id) => ({ entity: key.split('\u0000')[0]!, id })));
        result.filesDownloaded = await deps.files.afterDownload({ changed, purged: purgedList, signal });
      }
    } finally {
      // Reported also when the sync fails later: these objects are gone or changed already.
      for (const [key, ids] of purged) {
        const [entity, reason] = key.split('\u0000') as [string, 'access-lost' | 'filter' | 'deleted' | 'cleared'];
        events.emit('purged', { entity, ids, reason });
      }
      for (const [entity, ids] of changed) events.emit('change', { entity, ids: [...ids], source: 'sync' });
    }
    if (options.objects === undefined) {
      const last = { id: globalThis.crypto.randomUUID(), result };
      await store.mutate(async () => ({ mutation: { state: [{ key: LAST_SYNC_KEY, value: last }] }, result: undefined }));
    }
    events.emit('sync-complete', result);
    return result;
  }

  /**
   * Runs a sync under the cross-tab lock, or joins one. Checklist:
   * - the last completed full sync is read before the lock is requested; when another tab (or
   *   vault instance) completed a full sync while this call waited for the lock, that sync ran
   *   after this call was made, so this call returns its result instead of syncing again (a
   *   second call joins the first, across tabs as within one);
   * - a failed sync records nothing, so a waiting call then runs its own;
   * - a selective sync (`objects`) neither joins nor is joined.
   */
  async function runOrJoin(options: SyncRunOptions): Promise<SyncResult> {
    const full = options.objects === undefined;
    const before = full ? await store.getState<{ id: string }>(LAST_SYNC_KEY) : undefined;
    return withLock(`offline-vault/sync/${deps.name}`, async () => {
      if (full) {
        const last = await store.getState<{ id: string; result: SyncResult }>(LAST_SYNC_KEY);
        if (last !== undefined && last.id !== before?.id) return { ...last.result };
      }
      return run(options);
    });
  }

  return {
    get user() {
      return user;
    },
    sync(options = {}) {
      // A second call while one runs joins it (its own options are not used).
      if (running !== undefined) return running;
      const promise = runOrJoin(options);
      running = promise;
      const clear = () => {
        if (running === promise) running = undefined;
      };
      promise.then(clear, clear);
      return promise;
    },
    async idle() {
      await running?.catch(() => undefined);
    },
    async reloadUser() {
      user = await store.getUser();
    },
    async call(name, input) {
      if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
        throw new SyncError('invalid-action', 'An action name is 1 to 100 letters, digits, "_", "." or "-"', { action: String(name) });
      }
      const response = await needTransport().request<ActionResponse>(
        'POST',
        `${SYNC_ROUTES.actionsPrefix}${name}`,
        { protocol: PROTOCOL_VERSION, input: input ?? null },
        { retry: false, offlineFails: true },
      );
      return response?.output;
    },
    syncErrors: () => store.listSyncErrors(),
    clearSyncError: (id) => store.deleteSyncError(id),
  };
}
