import type { AppDefinition } from '../app/index.js';
import type { DownloadRequest, EntityDownloadRequest, SyncLimits, UploadChange, UploadRequest } from '../core/sync-protocol.js';
import { PROTOCOL_VERSION } from '../core/sync-protocol.js';
import { isDigestBucketCount } from '../core/visible-set-digest.js';
import { unstorableText } from './apply-upload.js';
import { HttpError, invalid } from './http-error.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short identifier-like string the databases can store (ids, mutation ids, names). */
function isKey(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 128 && !unstorableText(v);
}

/** Checks the envelope shared by every body: a JSON object with `protocol: 1`. */
export function checkEnvelope(body: unknown): Json {
  if (!isObject(body)) throw invalid('$', 'body must be a JSON object');
  if (body['protocol'] !== PROTOCOL_VERSION) {
    throw new HttpError(400, 'protocol-version', `Unsupported protocol version; this server speaks ${PROTOCOL_VERSION}`, { supported: [PROTOCOL_VERSION] });
  }
  return body;
}

/** Validates an upload body's shape; entity, values and rights are judged per change later. */
export function parseUpload(body: unknown, limits: SyncLimits): UploadRequest {
  const o = checkEnvelope(body);
  if (o['clientId'] !== undefined && !isKey(o['clientId'])) throw invalid('clientId', 'must be a string of 1-128 characters');
  const changes = o['changes'];
  if (!Array.isArray(changes)) throw invalid('changes', 'must be an array');
  if (changes.length > limits.maxChangesPerUpload) {
    throw new HttpError(413, 'too-many-changes', `An upload holds at most ${limits.maxChangesPerUpload} changes`, { limit: limits.maxChangesPerUpload });
  }
  const out: UploadChange[] = changes.map((c: unknown, i): UploadChange => {
    const at = `changes[${i}]`;
    if (!isObject(c)) throw invalid(at, 'must be an object');
    if (!isKey(c['mutationId'])) throw invalid(`${at}.mutationId`, 'must be a string of 1-128 characters');
    if (typeof c['entity'] !== 'string' || c['entity'].length > 200) throw invalid(`${at}.entity`, 'must be an entity name');
    if (typeof c['id'] !== 'string') throw invalid(`${at}.id`, 'must be a string');
    if (c['op'] !== 'create' && c['op'] !== 'update' && c['op'] !== 'delete') throw invalid(`${at}.op`, "must be 'create', 'update' or 'delete'");
    if (c['values'] !== undefined && !isObject(c['values'])) throw invalid(`${at}.values`, 'must be an object');
    if (c['op'] === 'delete' && c['values'] !== undefined) throw invalid(`${at}.values`, 'a delete carries no values');
    return { mutationId: c['mutationId'], entity: c['entity'], id: c['id'], op: c['op'], ...(c['values'] === undefined ? {} : { values: c['values'] }) };
  });
  return { protocol: PROTOCOL_VERSION, changes: out };
}

/** Checks that `entity` names a persistent entity of the app (400 otherwise). */
export function checkEntity(app: AppDefinition, entity: string, rawPath: string): void {
  const path = rawPath.slice(0, 200);
  const def = app.entities.get(entity);
  if (def === undefined) throw new HttpError(400, 'unknown-entity', `${path}: unknown entity`, { path, entity: entity.slice(0, 200) });
  if (!def.persistent) throw new HttpError(400, 'not-persistent', `${path}: ${entity} is memory-only`, { path, entity });
}

function parseEntityRequest(v: unknown, at: string, limits: SyncLimits, budget: { items: number }): EntityDownloadRequest {
  if (!isObject(v)) throw invalid(at, 'must be an object');
  const cp = v['checkpoint'];
  if (cp !== null && typeof cp !== 'string') throw invalid(`${at}.checkpoint`, 'must be a string or null');
  const rec = v['reconcile'];
  if (rec === undefined) return { checkpoint: cp };
  if (!isObject(rec)) throw invalid(`${at}.reconcile`, 'must be an object');
  const count = rec['bucketCount'];
  if (!isDigestBucketCount(count)) throw invalid(`${at}.reconcile.bucketCount`, 'must be a power of two from 1 to 4096');
  const buckets = rec['buckets'];
  if (!Array.isArray(buckets) || buckets.some((b) => !Number.isInteger(b) || (b as number) < 0 || (b as number) >= count)) {
    throw invalid(`${at}.reconcile.buckets`, 'must be bucket indexes');
  }
  const have = rec['have'];
  if (!Array.isArray(have)) throw invalid(`${at}.reconcile.have`, 'must be an array');
  budget.items += have.length;
  if (budget.items > limits.maxReconcileItems) {
    throw new HttpError(413, 'too-many-objects', `A download lists at most ${limits.maxReconcileItems} held objects`, { limit: limits.maxReconcileItems });
  }
  for (const [i, item] of have.entries()) {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || typeof item[1] !== 'string') {
      throw invalid(`${at}.reconcile.have[${i}]`, 'must be [id, version]');
    }
  }
  return { checkpoint: cp, reconcile: { bucketCount: count, buckets: buckets as number[], have: have as [string, string][] } };
}

/** Validates a download body: known persistent entities, checkpoints, reconcile input, objects. */
export function parseDownload(body: unknown, app: AppDefinition, limits: SyncLimits): DownloadRequest {
  const o = checkEnvelope(body);
  const entities: Record<string, EntityDownloadRequest> = {};
  const budget = { items: 0 };
  if (o['entities'] !== undefined) {
    if (!isObject(o['entities'])) throw invalid('entities', 'must be an object');
    for (const [name, v] of Object.entries(o['entities'])) {
      checkEntity(app, name, `entities.${name}`);
      entities[name] = parseEntityRequest(v, `entities.${name}`, limits, budget);
    }
  }
  let objects: { entity: string; id: string }[] | undefined;
  if (o['objects'] !== undefined) {
    if (!Array.isArray(o['objects'])) throw invalid('objects', 'must be an array');
    if (o['objects'].length > limits.maxObjectsPerRequest) {
      throw new HttpError(413, 'too-many-objects', `A selective download lists at most ${limits.maxObjectsPerRequest} objects`, { limit: limits.maxObjectsPerRequest });
    }
    objects = o['objects'].map((x: unknown, i) => {
      if (!isObject(x) || typeof x['entity'] !== 'string' || !isKey(x['id'])) throw invalid(`objects[${i}]`, 'must be { entity, id }');
      checkEntity(app, x['entity'], `objects[${i}].entity`);
      return { entity: x['entity'], id: x['id'] };
    });
  }
  return { protocol: PROTOCOL_VERSION, entities, ...(objects === undefined ? {} : { objects }) };
}
