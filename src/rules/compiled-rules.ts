import type { AccessRuleDef, AppDefinition, MemberRight, VaultObject } from '../app/index.js';
import { compileXPath } from '../xpath/compile-xpath.js';
import type { XPathContext } from '../xpath/xpath-context.js';

/** The user whose rights are judged: id and user roles (Mendix module roles). */
export interface RuleUser {
  readonly id: string;
  readonly roles: readonly string[];
}

/** An access rule with its XPath compiled (null: the rule applies to every object). */
export interface CompiledRule {
  readonly rule: AccessRuleDef;
  readonly index: number;
  readonly matches: ((object: VaultObject, ctx?: XPathContext) => boolean) | null;
}

const RANK: Record<MemberRight, number> = { none: 0, read: 1, readwrite: 2 };

/** The larger of two member rights (rules add up). */
export function maxRight(a: MemberRight, b: MemberRight): MemberRight {
  return RANK[a] >= RANK[b] ? a : b;
}

/** True when `right` allows reading. */
export function canReadRight(right: MemberRight): boolean {
  return right !== 'none';
}

/**
 * Security off: an app that declares no access rules at all lets everyone do everything (as a
 * Mendix app with security off / prototype). Once any entity has rules, an entity without rules
 * allows nothing.
 */
export function securityOff(app: AppDefinition): boolean {
  return app.accessRules.size === 0;
}

// Compiled once per app definition; the definition is frozen, so the cache never goes stale.
const cache = new WeakMap<AppDefinition, Map<string, readonly CompiledRule[]>>();

/** The entity's rules with compiled XPaths (compiled on first use, once per app). */
export function compiledRules(app: AppDefinition, entity: string): readonly CompiledRule[] {
  let perApp = cache.get(app);
  if (perApp === undefined) {
    perApp = new Map();
    cache.set(app, perApp);
  }
  let rules = perApp.get(entity);
  if (rules === undefined) {
    app.entity(entity); // unknown entity: ValidationError
    rules = (app.accessRules.get(entity) ?? []).map((rule, index) => ({
      rule,
      index,
      matches: rule.xpath === undefined ? null : compileXPath(rule.xpath, { app, entity }),
    }));
    perApp.set(entity, rules);
  }
  return rules;
}

/** The rules of `entity` that name one of the user's roles (XPath not yet considered). */
export function rulesForUser(app: AppDefinition, entity: string, user: RuleUser | null): readonly CompiledRule[] {
  const rules = compiledRules(app, entity);
  if (user === null) return [];
  return rules.filter((r) => r.rule.roles.some((role) => user.roles.includes(role)));
}

/** The context a rule's XPath runs in: `[%CurrentUser%]` is the judged user unless ctx says otherwise. */
export function ruleContext(user: RuleUser | null, ctx: XPathContext): XPathContext {
  return ctx.user === undefined && user !== null ? { ...ctx, user } : ctx;
}

/** Whether a rule's XPath holds for the stored object. */
export function ruleMatches(rule: CompiledRule, stored: VaultObject, ctx: XPathContext): boolean {
  return rule.matches === null || rule.matches(stored, ctx);
}
