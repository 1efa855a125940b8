import type { AppDefinition, EntityDef } from '../app/index.js';
import { AccessDeniedError } from '../core/errors.js';
import { canCreate, rulesForUser, securityOff, type RuleUser } from '../rules/index.js';
import type { OutboxChange } from './outbox.js';

/** Checks the planned changes of one write; throws AccessDeniedError before anything is written. */
export type WriteGuard = (entity: EntityDef, changes: readonly OutboxChange[]) => void;

function deny(code: string, message: string, details: Record<string, unknown>): never {
  throw new AccessDeniedError(code, message, details);
}

/**
 * The device's fail-fast check of local writes against the access rules (DESIGN §2): the server
 * is the authority and checks everything again. Only what the device can know for sure is
 * refused: a create without create right, a member no rule of the user's roles lets them write,
 * a delete no rule allows. Rules limited by an XPath count as possibly granting (the stored object
 * may match on the server). Nothing is checked before the server has named the user.
 */
export function createWriteGuard(app: AppDefinition, user: () => RuleUser | null): WriteGuard {
  return (entity, changes) => {
    const current = user();
    if (current === null || securityOff(app)) return;
    const rules = rulesForUser(app, entity.name, current);
    const writable = new Set<string>();
    for (const { rule } of rules) for (const [member, right] of rule.members) if (right === 'readwrite') writable.add(member);
    for (const change of changes) {
      const where = { entity: entity.name, id: change.ids[0], op: change.op };
      if (change.op === 'create' && !canCreate(app, entity.name, current)) {
        deny('create-denied', `${entity.name}: the user may not create objects`, where);
      }
      if (change.op === 'delete' && !rules.some(({ rule }) => rule.delete)) {
        deny('delete-denied', `${entity.name}: the user may not delete objects`, where);
      }
      for (const member of change.members) {
        if (!writable.has(member)) deny('write-denied', `${entity.name}: the user may not write member ${member}`, { ...where, member });
      }
    }
  };
}
