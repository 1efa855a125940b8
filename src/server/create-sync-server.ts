import type { AppDefinition } from '../app/index.js';
import { AccessDeniedError, ValidationError } from '../core/errors.js';
import {
  DEFAULT_SYNC_LIMITS,
  PROTOCOL_VERSION,
  type DownloadObject,
  type DownloadResponse,
  type Removal,
  type EntityDownloadResponse,
  type SessionResponse,
  type SyncLimits,
  type SyncUser,
} from '../core/sync-protocol.js';
import type { AccessContext } from './access-sql.js';
import { applyUpload } from './apply-upload.js';
import { downloadEntity, downloadObjects } from './download-entity.js';
import { ensureSchema } from './ensure-schema.js';
import { fileRoute } from './file-routes.js';
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../sync/file-protocol.js';
import { errorResponse, HttpError, jsonResponse, readJsonBody } from './http-error.js';
import { listenWith, type Listener } from './node-bridge.js';
import { checkEnvelope, parseDownload, parseUpload } from './parse-request.js';
import type { SyncStore } from './sync-store.js';

/** A server action (Mendix microflow call from the device): who may call it and what it does. */
export interface SyncAction {
  readonly roles: readonly string[];
  handler(input: unknown, context: { readonly user: SyncUser }): unknown;
}

/** Options of `createSyncServer`. */
export interface SyncServerOptions {
  readonly app: AppDefinition;
  readonly store: SyncStore;
  /** Names the user of a request (e.g. from `Authorization: Bearer`), or null: 401. A throw counts as null. */
  readonly authenticate: (request: Request) => Promise<SyncUser | null>;
  readonly actions?: Readonly<Record<string, SyncAction>>;
  readonly limits?: Partial<SyncLimits>;
  /** IANA zone for `BeginOf...` time tokens in access rules and sync filters. Default 'UTC'. */
  readonly timeZone?: string;
  /** Clock for time tokens (tests). Default `new Date()`. */
  readonly now?: () => Date;
  /** Extra unauthenticated routes by path suffix (e.g. the demo's `/v1/demo-login`). */
  readonly routes?: Readonly<Record<string, (request: Request) => Promise<Response>>>;
  /** Adds CORS headers allowing this origin ('*' or one origin). Default: none. */
  readonly allowOrigin?: string;
  /** Called with server faults (500s); never with client errors. */
  readonly onError?: (error: unknown) => void;
  /**
   * File contents (docs/protocol.md §7): size limit per file (one number, or per entity with the
   * others at the default 100 MiB) and upload chunk size (default 1 MiB, at most `maxBodyBytes`).
   */
  readonly files?: { readonly maxFileSize?: number | Readonly<Record<string, number>>; readonly chunkSize?: number };
}

/** The reference sync server (docs/protocol.md). Keeps no state between requests. */
export interface SyncServer {
  /** Serves every route below the path it is mounted at (fetch-style). */
  handler(request: Request): Promise<Response>;
  /** Serves `handler` over node:http on `host` (default 127.0.0.1); port 0 picks a free port. */
  listen(port: number, host?: string): Promise<Listener>;
  /** Resolves once the schema exists (also awaited by the first request). */
  ready(): Promise<void>;
  readonly limits: SyncLimits;
  /** File limits in force (also in the session response as `files`). */
  readonly fileLimits: FileLimits;
}

function isUser(u: unknown): u is SyncUser {
  if (typeof u !== 'object' || u === null) return false;
  const { id, roles } = u as { id?: unknown; roles?: unknown };
  return typeof id === 'string' && id !== '' && Array.isArray(roles) && roles.every((r) => typeof r === 'string');
}

/** Creates the server; the schema is created (idempotently) on the first request or `ready()`. */
export function createSyncServer(options: SyncServerOptions): SyncServer {
  const { app, store } = options;
  const limits: SyncLimits = { ...DEFAULT_SYNC_LIMITS, ...options.limits };
  const maxFile = options.files?.maxFileSize;
  const fileLimits: FileLimits = {
    maxFileSize: typeof maxFile === 'number' ? maxFile : DEFAULT_FILE_LIMITS.maxFileSize,
    chunkSize: Math.min(options.files?.chunkSize ?? DEFAULT_FILE_LIMITS.chunkSize, limits.maxBodyBytes),
    perEntity: typeof maxFile === 'object' ? { ...maxFile } : {},
  };
  let schema: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    schema ??= ensureSchema(store, app).catch((error: unknown) => {
      schema = undefined;
      throw error;
    });
    return schema;
  };
  const cors: Record<string, string> =
    options.allowOrigin === undefined
      ? {}
      : {
          'access-control-allow-origin': options.allowOrigin,
          'access-control-allow-headers': 'authorization, content-type, range, if-none-match',
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, OPTIONS',
          'access-control-expose-headers': 'etag, content-range, x-content-version, x-file-size',
          'access-control-max-age': '600',
        };

  const authenticate = async (request: Request): Promise<SyncUser> => {
    let user: SyncUser | null = null;
    try {
      user = await options.authenticate(request);
    } catch {
      user = null;
    }
    if (user === null) throw new HttpError(401, 'unauthenticated', 'A valid bearer token is required', undefined, { 'www-authenticate': 'Bearer' });
    if (!isUser(user)) throw new Error('authenticate returned an invalid user');
    return { id: user.id, roles: [...user.roles] };
  };
  const accessContext = (user: SyncUser): AccessContext => ({
    app,
    dialect: store.dialect,
    user,
    xpath: { user, now: options.now?.() ?? new Date(), timeZone: options.timeZone ?? 'UTC' },
  });
  const method = (request: Request, allowed: string): void => {
    if (request.method !== allowed) throw new HttpError(405, 'method-not-allowed', `Use ${allowed}`, undefined, { allow: allowed });
  };

  async function route(request: Request, path: string): Promise<Response> {
    const extra = options.routes?.[path];
    if (extra !== undefined) return extra(request);
    if (path === '/v1/session') {
      method(request, 'GET');
      const user = await authenticate(request);
      const body: SessionResponse & { files: FileLimits } = {
        protocol: PROTOCOL_VERSION,
        user,
        serverTime: (options.now?.() ?? new Date()).toISOString(),
        limits,
        files: fileLimits,
      };
      return jsonResponse(200, body);
    }
    if (path === '/v1/upload') {
      method(request, 'POST');
      const user = await authenticate(request);
      const req = parseUpload(await readJsonBody(request, limits.maxBodyBytes), limits);
      await ready();
      const results = await applyUpload(store, accessContext(user), req.changes);
      return jsonResponse(200, { protocol: PROTOCOL_VERSION, results });
    }
    if (path === '/v1/download') {
      method(request, 'POST');
      const user = await authenticate(request);
      const req = parseDownload(await readJsonBody(request, limits.maxBodyBytes), app, limits);
      await ready();
      const ac = accessContext(user);
      const body = await store.transaction('read', async (tx): Promise<DownloadResponse> => {
        const entities: Record<string, EntityDownloadResponse> = {};
        for (const [entity, er] of Object.entries(req.entities ?? {})) entities[entity] = await downloadEntity(tx, ac, entity, er, limits.pageSize);
        if (req.objects === undefined) return { protocol: PROTOCOL_VERSION, entities };
        const objects = { upserts: [] as (DownloadObject & { entity: string })[], removals: [] as (Removal & { entity: string })[] };
        const byEntity = new Map<string, string[]>();
        for (const o of req.objects) byEntity.set(o.entity, [...(byEntity.get(o.entity) ?? []), o.id]);
        for (const [entity, ids] of byEntity) {
          const r = await downloadObjects(tx, ac, entity, ids);
          objects.upserts.push(...r.upserts.map((u) => ({ entity, ...u })));
          objects.removals.push(...r.removals.map((x) => ({ entity, ...x })));
        }
        return { protocol: PROTOCOL_VERSION, entities, objects };
      });
      return jsonResponse(200, body);
    }
    if (path.startsWith('/v1/files/')) {
      return fileRoute(request, path, { app, store, limits: fileLimits, maxBodyBytes: limits.maxBodyBytes, authenticate, accessContext, ready });
    }
    if (path.startsWith('/v1/actions/')) {
      method(request, 'POST');
      const user = await authenticate(request);
      let name = '';
      try {
        name = decodeURIComponent(path.slice('/v1/actions/'.length));
      } catch {
        throw new HttpError(404, 'unknown-action', 'No such server action');
      }
      const action = Object.hasOwn(options.actions ?? {}, name) ? options.actions![name]! : undefined;
      if (action === undefined) throw new HttpError(404, 'unknown-action', 'No such server action');
      if (!action.roles.some((r) => user.roles.includes(r))) throw new HttpError(403, 'forbidden', 'The user may not call this action', { action: name });
      const body = checkEnvelope(await readJsonBody(request, limits.maxBodyBytes));
      try {
        const output = await action.handler(body['input'], { user });
        return jsonResponse(200, { protocol: PROTOCOL_VERSION, output: output ?? null });
      } catch (error) {
        if (error instanceof AccessDeniedError) throw new HttpError(403, 'forbidden', error.message, { action: name, reason: error.code });
        if (error instanceof ValidationError) throw new HttpError(422, 'action-rejected', error.message, { action: name, reason: error.code });
        throw error;
      }
    }
    throw new HttpError(404, 'route-not-found', 'No such route');
  }

  async function handler(request: Request): Promise<Response> {
    try {
      if (request.method === 'OPTIONS' && options.allowOrigin !== undefined) return new Response(null, { status: 204, headers: cors });
      const pathname = new URL(request.url).pathname;
      const at = pathname.lastIndexOf('/v1/');
      const path = at < 0 ? pathname : pathname.slice(at);
      const response = await route(request, path);
      for (const [k, v] of Object.entries(cors)) response.headers.set(k, v);
      return response;
    } catch (error) {
      if (error instanceof HttpError) {
        const r = errorResponse(error);
        for (const [k, v] of Object.entries(cors)) r.headers.set(k, v);
        return r;
      }
      options.onError?.(error);
      return jsonResponse(500, { error: { code: 'internal', message: 'Internal server error' } }, cors);
    }
  }

  return {
    handler,
    ready,
    limits,
    fileLimits,
    async listen(port: number, host = '127.0.0.1') {
      await ready();
      return listenWith(handler, port, host, limits.maxBodyBytes);
    },
  };
}
