import { ValidationError } from '../core/errors.js';
import { normalizeAttribute, normalizeReference } from './normalize-value.js';
import type { EntityDef } from './types.js';

/** An object as the app sees it: an id plus member values. */
export type VaultObject = { id: string } & Record<string, unknown>;

const MAX_ID_LENGTH = 128;

/** Checks an object id: a non-empty string of at most 128 characters. */
export function checkObjectId(entity: string, id: unknown): string {
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) {
    throw new ValidationError('invalid-id', `${entity}: id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, {
      entity,
      rule: 'id',
    });
  }
  return id;
}

/**
 * Validates `input` against the entity and returns the stored form of the members it contains.
 * With `partial`, missing members stay missing (an update); otherwise they become empty.
 * Unknown members, wrong types and bad enum values throw before anything is written.
 */
export function normalizeObject(
  entity: EntityDef,
  input: Record<string, unknown>,
  options: { id?: string; partial?: boolean } = {},
): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('invalid-object', `${entity.name}: expected an object`, { entity: entity.name, id: options.id });
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (key === 'id') continue;
    if (!entity.attributes.has(key) && !entity.references.has(key)) {
      throw new ValidationError('unknown-member', `${entity.name}${options.id === undefined ? '' : ` ${options.id}`}: unknown member "${key}"`, {
        entity: entity.name,
        id: options.id,
        member: key,
        rule: 'unknown-member',
      });
    }
  }
  for (const [name, attr] of entity.attributes) {
    if (options.partial === true && !(name in input)) continue;
    out[name] = normalizeAttribute(attr, input[name], { entity: entity.name, id: options.id, member: name });
  }
  for (const [name, assoc] of entity.references) {
    if (options.partial === true && !(name in input)) continue;
    out[name] = normalizeReference(assoc, input[name], { entity: entity.name, id: options.id, member: name });
  }
  return out;
}
