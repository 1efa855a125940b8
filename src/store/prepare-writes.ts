import { checkObjectId, normalizeObject, type EntityDef } from '../app/index.js';
import type { WriteOp } from './write-pipeline.js';

/** Validates objects for `put`/`bulkPut` and turns them into write ops; assigns missing ids. */
export function preparePuts(entity: EntityDef, objects: readonly Record<string, unknown>[]): WriteOp[] {
  return objects.map((object) => {
    const given = object?.['id'];
    const fresh = given === undefined || given === null;
    const id = fresh ? globalThis.crypto.randomUUID() : checkObjectId(entity.name, given);
    return { kind: 'put', id, members: normalizeObject(entity, object, { id }), fresh };
  });
}

/** Validates the changes of `update`. */
export function prepareUpdate(entity: EntityDef, id: string, changes: Record<string, unknown>): WriteOp {
  checkObjectId(entity.name, id);
  return { kind: 'update', id, changes: normalizeObject(entity, changes, { id, partial: true }) };
}

export function prepareDeletes(entity: EntityDef, ids: readonly string[]): WriteOp[] {
  return ids.map((id) => ({ kind: 'delete', id: checkObjectId(entity.name, id) }));
}

/**
 * A stored object as the app reads it: `{ id, ...members }` with empty members as null. A member
 * missing from the stored data (one the user may not read, left out by the sync) stays absent.
 */
export function toVaultObject(entity: EntityDef, id: string, members: Record<string, unknown>): { id: string } & Record<string, unknown> {
  const out: { id: string } & Record<string, unknown> = { id };
  for (const name of entity.attributes.keys()) if (name in members) out[name] = members[name] ?? null;
  for (const name of entity.references.keys()) if (name in members) out[name] = members[name] ?? null;
  return out;
}
