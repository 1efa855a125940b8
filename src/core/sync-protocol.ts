/*
 * Wire contract of the sync protocol (types and constants only). The prose contract is
 * docs/protocol.md; the client engine (src/sync) and the reference server (src/server) both
 * implement these shapes. Changes are additive only: new optional fields, new codes, new routes.
 */

/** Protocol version carried in every request body and response (`protocol`). */
export const PROTOCOL_VERSION = 1;

/** Route paths below the base URL (`sync.url`; the server's handler serves everything below it). */
export const SYNC_ROUTES = {
  session: '/v1/session',
  upload: '/v1/upload',
  download: '/v1/download',
  /** Followed by `/<action name>`. */
  actionsPrefix: '/v1/actions/',
} as const;

/** Default limits of the reference server; `GET /v1/session` reports the ones in force. */
export const DEFAULT_SYNC_LIMITS: SyncLimits = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxChangesPerUpload: 5000,
  pageSize: 2000,
  maxObjectsPerRequest: 5000,
  maxReconcileItems: 200_000,
};

/** Request and page limits. A request over a limit gets a 413 / 400 error and changes nothing. */
export interface SyncLimits {
  /** Largest accepted request body in bytes (413 `payload-too-large`). */
  readonly maxBodyBytes: number;
  /** Most changes in one upload (413 `too-many-changes`). */
  readonly maxChangesPerUpload: number;
  /** Most objects (upserts plus removals) per entity in one download page (`hasMore` says more). */
  readonly pageSize: number;
  /** Most entries in `objects` of a selective download (413 `too-many-objects`). */
  readonly maxObjectsPerRequest: number;
  /** Most `have` items in one download request, over all entities (413 `too-many-objects`). */
  readonly maxReconcileItems: number;
}

/** The user the server authenticated. */
export interface SyncUser {
  readonly id: string;
  readonly roles: readonly string[];
}

/** `GET /v1/session` response. */
export interface SessionResponse {
  readonly protocol: number;
  readonly user: SyncUser;
  /** Server clock (ISO-8601 UTC), for time tokens and skew reporting. */
  readonly serverTime: string;
  readonly limits: SyncLimits;
}

/** One local change. `values` hold members in their stored form (see `normalizeObject`). */
export interface UploadChange {
  /** Client-generated unique id (UUID), the idempotency key; remembered per user. */
  readonly mutationId: string;
  readonly entity: string;
  readonly id: string;
  readonly op: 'create' | 'update' | 'delete';
  /** create: the members to set (missing ones are empty); update: only the changed members. */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** `POST /v1/upload` body. */
export interface UploadRequest {
  readonly protocol: number;
  /** Opaque id of the device/vault, for server logs only. */
  readonly clientId?: string;
  readonly changes: readonly UploadChange[];
}

/** Why a change was rejected: a stable code and a message without values. */
export interface RejectReason {
  readonly code: RejectCode;
  readonly message: string;
  /** Entity, member, rule names; never values. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Per-change rejection codes (additive). */
export type RejectCode =
  | 'invalid-change'
  | 'invalid-id'
  | 'unknown-entity'
  | 'not-persistent'
  | 'unknown-member'
  | 'invalid-value'
  | 'create-denied'
  | 'write-denied'
  | 'delete-denied'
  | 'not-found'
  | 'duplicate-id'
  | 'dangling-reference'
  | (string & {});

/** The outcome of one change; the array is in request order. */
export type UploadResult =
  | { readonly mutationId: string; readonly status: 'applied' }
  | { readonly mutationId: string; readonly status: 'rejected'; readonly reason: RejectReason };

/** `POST /v1/upload` response (a retry of the same mutation ids returns the same results). */
export interface UploadResponse {
  readonly protocol: number;
  readonly results: readonly UploadResult[];
}

/** Why the client must remove an object it holds (never uploaded as a delete). */
export type RemovalReason = 'access-lost' | 'filter' | 'deleted' | 'cleared';

/** Every removal reason, for validation on the client. */
export const REMOVAL_REASONS: readonly RemovalReason[] = ['access-lost', 'filter', 'deleted', 'cleared'];

/** Hashes of the visible set of one entity (algorithm in src/core/visible-set-digest.ts). */
export interface VisibleSetDigest {
  /** Power of two, 1..4096. */
  readonly bucketCount: number;
  /** `bucketCount` entries of 16 lower-case hex digits (XOR of item hashes, 64-bit). */
  readonly buckets: readonly string[];
}

/** Reconciliation input: what the client holds in the buckets whose digest differed. */
export interface ReconcileRequest {
  /** The `bucketCount` of the server digest the client compared against. */
  readonly bucketCount: number;
  /** Indexes of the buckets that differed. */
  readonly buckets: readonly number[];
  /** Every `[id, version]` the client holds in those buckets (server versions, not local edits). */
  readonly have: readonly (readonly [string, string])[];
}

/** Per-entity download request. */
export interface EntityDownloadRequest {
  /** Opaque checkpoint from the previous response, or null for a first (full) download. */
  readonly checkpoint: string | null;
  readonly reconcile?: ReconcileRequest;
}

/** `POST /v1/download` body. */
export interface DownloadRequest {
  readonly protocol: number;
  /** Entities of a full sync with their checkpoints. */
  readonly entities?: Readonly<Record<string, EntityDownloadRequest>>;
  /** Selective sync: these objects only (any sync mode, profile XPath not applied, checkpoints untouched). */
  readonly objects?: readonly { readonly entity: string; readonly id: string }[];
}

/** An object as the user may read it. `values` hold exactly the readable members (empty: null). */
export interface DownloadObject {
  readonly id: string;
  /** Opaque version token; store it and use it for the digest. Equal token = equal content. */
  readonly version: string;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface Removal {
  readonly id: string;
  readonly reason: RemovalReason;
}

/** Per-entity download response. */
export interface EntityDownloadResponse {
  readonly mode: 'all' | 'xpath' | 'nothing-preserve' | 'nothing-clear' | 'never';
  /** Store after applying this page; send it next time. Unchanged for modes without download. */
  readonly checkpoint: string | null;
  readonly upserts: readonly DownloadObject[];
  readonly removals: readonly Removal[];
  /** Remove every local object of the entity with this reason (mode nothing-clear, or no read access). */
  readonly clear?: 'cleared' | 'access-lost';
  /** More pages: request again with `checkpoint` (digest comes with the last page). */
  readonly hasMore: boolean;
  /** The visible set at `checkpoint` (last page of modes all / xpath only). */
  readonly digest?: VisibleSetDigest;
}

/** `POST /v1/download` response. */
export interface DownloadResponse {
  readonly protocol: number;
  readonly entities: Readonly<Record<string, EntityDownloadResponse>>;
  /** Selective sync results. */
  readonly objects?: {
    readonly upserts: readonly (DownloadObject & { readonly entity: string })[];
    readonly removals: readonly (Removal & { readonly entity: string })[];
  };
}

/** `POST /v1/actions/<name>` body and response. */
export interface ActionRequest {
  readonly protocol: number;
  readonly input?: unknown;
}
export interface ActionResponse {
  readonly protocol: number;
  readonly output: unknown;
}

/** Request-level error codes (HTTP 4xx unless noted). */
export type SyncErrorCode =
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'route-not-found' // 404
  | 'unknown-action' // 404
  | 'method-not-allowed' // 405
  | 'payload-too-large' // 413
  | 'too-many-changes' // 413
  | 'too-many-objects' // 413
  | 'unsupported-media-type' // 415
  | 'malformed-json' // 400
  | 'invalid-request' // 400
  | 'protocol-version' // 400
  | 'unknown-entity' // 400
  | 'not-persistent' // 400
  | 'invalid-checkpoint' // 400
  | 'action-rejected' // 422
  | 'internal' // 500 (never for client input)
  | 'unavailable' // 503
  | (string & {});

/** Body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: SyncErrorCode;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}
