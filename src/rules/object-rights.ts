import type { AppDefinition, VaultObject } from '../app/index.js';
import { ValidationError } from '../core/errors.js';
import type { XPathContext } from '../xpath/xpath-context.js';
import { canReadRight, ruleContext, ruleMatches, rulesForUser, securityOff, type RuleUser } from './compiled-rules.js';

/** Whether the user may create objects of `entity`. Create is never limited by XPath (Mendix). */
export function canCreate(app: AppDefinition, entity: string, user: RuleUser | null): boolean {
  app.entity(entity); // unknown entity: ValidationError
  if (securityOff(app)) return true;
  return rulesForUser(app, entity, user).some((r) => r.rule.create);
}

/** Whether the user may delete the object, judged on its stored (pre-change) state. */
export function canDelete(app: AppDefinition, entity: string, stored: VaultObject, user: RuleUser | null, ctx: XPathContext = {}): boolean {
  app.entity(entity); // unknown entity: ValidationError
  if (securityOff(app)) return true;
  const context = ruleContext(user, ctx);
  return rulesForUser(app, entity, user).some((r) => r.rule.delete && ruleMatches(r, stored, context));
}

/**
 * Whether the user may write `member` of the object: some rule of theirs whose XPath matches the
 * stored (pre-change) object gives it readwrite. Throws `ValidationError` for an unknown member.
 */
export function canWrite(
  app: AppDefinition,
  entity: string,
  stored: VaultObject,
  member: string,
  user: RuleUser | null,
  ctx: XPathContext = {},
): boolean {
  const def = app.entity(entity);
  if (!def.attributes.has(member) && !def.references.has(member)) {
    throw new ValidationError('unknown-member', `${entity} has no member "${member}"`, { entity, member });
  }
  if (securityOff(app)) return true;
  const context = ruleContext(user, ctx);
  return rulesForUser(app, entity, user).some((r) => r.rule.members.get(member) === 'readwrite' && ruleMatches(r, stored, context));
}

/** Whether some rule of the user could grant read on some member of `entity` (XPath not considered). */
export function entityReadable(app: AppDefinition, entity: string, user: RuleUser | null): boolean {
  app.entity(entity); // unknown entity: ValidationError
  if (securityOff(app)) return true;
  return rulesForUser(app, entity, user).some((r) => [...r.rule.members.values()].some(canReadRight));
}

/**
 * Which objects of `entity` the user may read, as constraints for a query (e.g. `toSql`): `all`,
 * `none`, or any of `xpaths` (the XPaths of the read-granting rules; OR them).
 */
export type ReadScope = { readonly kind: 'all' } | { readonly kind: 'none' } | { readonly kind: 'xpath'; readonly xpaths: readonly string[] };

/** The read scope of `entity` for the user (see `ReadScope`). */
export function readScope(app: AppDefinition, entity: string, user: RuleUser | null): ReadScope {
  app.entity(entity);
  if (securityOff(app)) return { kind: 'all' };
  const xpaths: string[] = [];
  for (const r of rulesForUser(app, entity, user)) {
    if (![...r.rule.members.values()].some(canReadRight)) continue;
    if (r.rule.xpath === undefined) return { kind: 'all' };
    if (!xpaths.includes(r.rule.xpath)) xpaths.push(r.rule.xpath);
  }
  return xpaths.length === 0 ? { kind: 'none' } : { kind: 'xpath', xpaths };
}
