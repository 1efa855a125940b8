import type { AppDefinition, MemberRight, VaultObject } from '../app/index.js';
import type { XPathContext } from '../xpath/xpath-context.js';
import { canReadRight, maxRight, ruleContext, ruleMatches, rulesForUser, securityOff, type RuleUser } from './compiled-rules.js';

/** Every member (attributes, then owned associations) of an entity. */
function memberNames(app: AppDefinition, entity: string): string[] {
  const def = app.entity(entity);
  return [...def.attributes.keys(), ...def.references.keys()];
}

/**
 * The user's right on each member of the stored object: the union (highest right) over the rules
 * that name one of the user's roles and whose XPath matches the object (Mendix: rules add up).
 */
export function memberRights(app: AppDefinition, entity: string, stored: VaultObject, user: RuleUser | null, ctx: XPathContext = {}): Map<string, MemberRight> {
  const names = memberNames(app, entity);
  const rights = new Map<string, MemberRight>(names.map((n) => [n, securityOff(app) ? 'readwrite' : 'none']));
  if (securityOff(app)) return rights;
  const context = ruleContext(user, ctx);
  for (const r of rulesForUser(app, entity, user)) {
    // Evaluate the XPath only when the rule could still raise some member's right.
    const raises = names.some((n) => maxRight(rights.get(n)!, r.rule.members.get(n) ?? 'none') !== rights.get(n));
    if (!raises || !ruleMatches(r, stored, context)) continue;
    for (const n of names) rights.set(n, maxRight(rights.get(n)!, r.rule.members.get(n) ?? 'none'));
  }
  return rights;
}

/**
 * The object as the user may see it: `id` plus the readable members (empty ones as `null`), or
 * `null` when no rule with a matching XPath grants read on any member (the object is invisible).
 */
export function readableProjection(
  app: AppDefinition,
  entity: string,
  stored: VaultObject,
  user: RuleUser | null,
  ctx: XPathContext = {},
): VaultObject | null {
  const rights = memberRights(app, entity, stored, user, ctx);
  const out: VaultObject = { id: stored.id };
  let any = false;
  for (const [member, right] of rights) {
    if (!canReadRight(right)) continue;
    any = true;
    out[member] = stored[member] ?? null;
  }
  return any ? out : null;
}
