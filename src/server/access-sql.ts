import type { AppDefinition } from '../app/index.js';
import { hex64, fnv1a64 } from '../core/visible-set-digest.js';
import type { SyncUser } from '../core/sync-protocol.js';
import { rulesForUser, securityOff, type CompiledRule } from '../rules/index.js';
import { toSql, type SqlDialect, type SqlWhere, type XPathContext } from '../xpath/index.js';
import type { SqlBuilder, SqlRow } from './sync-store.js';

/** Everything a request's access decisions depend on (one instant for every time token). */
export interface AccessContext {
  readonly app: AppDefinition;
  readonly dialect: SqlDialect;
  readonly user: SyncUser;
  readonly xpath: XPathContext;
}

/** The user's rules on one entity with their XPaths compiled to SQL on `alias` (null: every object). */
export interface EntityAccess {
  readonly entity: string;
  readonly alias: string;
  readonly rules: readonly CompiledRule[];
  readonly conds: readonly (SqlWhere | null)[];
  readonly open: boolean;
  /** Rights per pattern of matching rules (a request sees few patterns and many rows). */
  readonly rightsCache: Map<string, ObjectRights>;
}

const TRUE = '(1 = 1)';
const FALSE = '(1 = 0)';

/** Flag column of the user's rule `i` in queries built by `flagColumns`. */
export const flagColumn = (i: number): string => `ov$f${i}`;

/** The user's rules of `entity`, compiled for a query where the entity's table is `alias`. */
export function entityAccess(ac: AccessContext, entity: string, alias: string): EntityAccess {
  const open = securityOff(ac.app);
  const rules = open ? [] : rulesForUser(ac.app, entity, ac.user);
  const conds = rules.map((r) => (r.rule.xpath === undefined ? null : toSql(r.rule.xpath, { app: ac.app, entity, dialect: ac.dialect, alias }, ac.xpath)));
  return { entity, alias, rules, conds, open, rightsCache: new Map() };
}

/** Whether a rule lets its roles read some member. */
export const grantsRead = (r: CompiledRule): boolean => [...r.rule.members.values()].some((m) => m !== 'none');

/** Whether some rule could let the user read objects of the entity at all. */
export function mayReadEntity(ea: EntityAccess): boolean {
  return ea.open || ea.rules.some(grantsRead);
}

/** `, CASE WHEN <rule i> THEN 1 ELSE 0 END AS "ov$f<i>"` for every rule (appends parameters). */
export function flagColumns(b: SqlBuilder, ea: EntityAccess): string {
  return ea.conds.map((c, i) => `, CASE WHEN ${c === null ? TRUE : b.frag(c)} THEN 1 ELSE 0 END AS "${flagColumn(i)}"`).join('');
}

/** The condition "some read-granting rule matches" (appends parameters). */
export function readCondition(b: SqlBuilder, ea: EntityAccess): string {
  if (ea.open) return TRUE;
  const parts: string[] = [];
  ea.rules.forEach((r, i) => {
    if (!grantsRead(r)) return;
    const c = ea.conds[i]!;
    parts.push(c === null ? TRUE : b.frag(c));
  });
  return parts.length === 0 ? FALSE : `(${parts.join(' OR ')})`;
}

/** The sync profile's XPath as a condition (mode `xpath`), or TRUE. */
export function profileCondition(b: SqlBuilder, ac: AccessContext, entity: string, alias: string): string {
  const p = ac.app.syncProfile.get(entity);
  if (p?.mode !== 'xpath' || p.xpath === undefined) return TRUE;
  return b.frag(toSql(p.xpath, { app: ac.app, entity, dialect: ac.dialect, alias }, ac.xpath));
}

/** What the user may do with one stored object, from the rule flags of its row. */
export interface ObjectRights {
  /** Readable members in definition order (empty: the object is invisible). */
  readonly read: readonly string[];
  readonly write: ReadonlySet<string>;
  readonly delete: boolean;
  /** Hash of `read` for version tokens. */
  readonly tokenSuffix: string;
}

/** The user's rights on a row selected with `flagColumns` (rules add up, Mendix). */
export function rightsOfRow(app: AppDefinition, ea: EntityAccess, row: SqlRow): ObjectRights {
  const key = ea.rules.map((_r, i) => (Number(row[flagColumn(i)]) === 1 ? '1' : '0')).join('');
  let rights = ea.rightsCache.get(key);
  if (rights === undefined) {
    rights = computeRights(app, ea, row);
    ea.rightsCache.set(key, rights);
  }
  return rights;
}

function computeRights(app: AppDefinition, ea: EntityAccess, row: SqlRow): ObjectRights {
  const def = app.entity(ea.entity);
  const members = [...def.attributes.keys(), ...def.references.keys()];
  if (ea.open) return { read: members, write: new Set(members), delete: true, tokenSuffix: memberSetHash(members) };
  const read = new Set<string>();
  const write = new Set<string>();
  let del = false;
  ea.rules.forEach((r, i) => {
    if (Number(row[flagColumn(i)]) !== 1) return;
    if (r.rule.delete) del = true;
    for (const [m, right] of r.rule.members) {
      if (right !== 'none') read.add(m);
      if (right === 'readwrite') write.add(m);
    }
  });
  const readable = members.filter((m) => read.has(m));
  return { read: readable, write, delete: del, tokenSuffix: memberSetHash(readable) };
}

/** Members a creator may set (create is not limited by XPath, so every rule of the user counts). */
export function creatableMembers(app: AppDefinition, ea: EntityAccess): ReadonlySet<string> {
  const def = app.entity(ea.entity);
  if (ea.open) return new Set([...def.attributes.keys(), ...def.references.keys()]);
  const out = new Set<string>();
  for (const r of ea.rules) for (const [m, right] of r.rule.members) if (right === 'readwrite') out.add(m);
  return out;
}

/**
 * The version token of an object as one user sees it: its sequence number and a hash of the
 * member names the user may read, so that a change of readable members changes the token too.
 */
export function versionToken(seq: number, rights: ObjectRights): string {
  return `${seq}.${rights.tokenSuffix}`;
}

function memberSetHash(readMembers: readonly string[]): string {
  return hex64(fnv1a64(readMembers.join(','))).slice(0, 8);
}
