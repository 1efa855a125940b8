import { normalizeAttribute, type AppDefinition } from '../app/index.js';
import type { Expr, Operand, PathStep, XPathAst } from '../xpath/ast.js';
import { resolveStep } from '../xpath/resolve-step.js';

/**
 * How a local query finds its candidates before the compiled predicate judges each of them:
 * - `ids`: a top-level `id = '...'` conjunct; read those objects only;
 * - `index`: a top-level equality (or an `or` of equalities) on a declared index; read
 *   `where(attribute).anyOf(values)` (a blind-index lookup when the vault is encrypted);
 * - `scan`: read and decrypt every object of the entity.
 * Candidates are always a superset of the matches: the predicate still runs on every one.
 */
export type QueryAccess =
  | { readonly kind: 'scan' }
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  | { readonly kind: 'index'; readonly attribute: string; readonly values: readonly unknown[] };

/** The plan of one local query. */
export interface LocalQueryPlan {
  readonly entity: string;
  readonly access: QueryAccess;
  /**
   * Entities whose objects the constraint's paths reach (loaded completely, once per query, to
   * resolve associations synchronously). May include the queried entity (self-references).
   */
  readonly reached: ReadonlySet<string>;
  /** `$names` the constraint uses (every one must have a value before anything is read). */
  readonly variables: ReadonlySet<string>;
}

/** Adds the entities reached by a path's steps (and by their filters) to `out`; returns the end entity. */
function walkPath(app: AppDefinition, entity: string, path: readonly PathStep[], out: Set<string>, vars: Set<string>): string {
  let current = entity;
  for (const step of path) {
    const r = resolveStep(app, current, step.association, step.reversed);
    current = r.target;
    out.add(current);
    if (step.filter !== null) collectExpr(app, current, step.filter, out, vars);
  }
  return current;
}

function collectOperand(app: AppDefinition, entity: string, op: Operand, out: Set<string>, vars: Set<string>): void {
  switch (op.kind) {
    case 'attribute':
    case 'id':
      walkPath(app, entity, op.path, out, vars);
      return;
    case 'association': {
      const at = walkPath(app, entity, op.path, out, vars);
      const r = resolveStep(app, at, op.association, op.reversed);
      // Backward members are found among the holders' objects; forward ones are read off the object.
      if (r.direction === 'backward') out.add(r.association.from);
      return;
    }
    case 'length':
    case 'date-part':
      walkPath(app, entity, op.subject.path, out, vars);
      return;
    case 'variable':
      vars.add(op.name);
      return;
    default:
      return;
  }
}

function collectExpr(app: AppDefinition, entity: string, e: Expr, out: Set<string>, vars: Set<string>): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      for (const x of e.operands) collectExpr(app, entity, x, out, vars);
      return;
    case 'not':
      collectExpr(app, entity, e.operand, out, vars);
      return;
    case 'exists':
      walkPath(app, entity, e.path, out, vars);
      return;
    case 'compare':
      collectOperand(app, entity, e.left, out, vars);
      collectOperand(app, entity, e.right, out, vars);
      return;
    case 'string-match':
      collectOperand(app, entity, e.subject, out, vars);
      collectOperand(app, entity, e.needle, out, vars);
      return;
  }
}

/** A scalar value usable as an index key, from a literal or a variable holding a scalar. */
function literalValue(op: Operand, variables: Record<string, unknown>): { value: unknown } | null {
  switch (op.kind) {
    case 'string':
      return { value: op.value };
    case 'boolean':
      return { value: op.value };
    case 'number':
      return { value: op.value };
    case 'variable': {
      const v = variables[op.name];
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? { value: v } : null;
    }
    default:
      return null;
  }
}

/** `attr = literal` / `literal = attr` on the context entity: the attribute and the raw value. */
function equality(e: Expr, variables: Record<string, unknown>): { member: string; raw: unknown } | null {
  if (e.kind !== 'compare' || e.op !== '=') return null;
  const pairs: [Operand, Operand][] = [
    [e.left, e.right],
    [e.right, e.left],
  ];
  for (const [a, b] of pairs) {
    if ((a.kind === 'attribute' || a.kind === 'id') && a.path.length === 0) {
      const lit = literalValue(b, variables);
      if (lit !== null) return { member: a.kind === 'id' ? 'id' : a.name, raw: lit.value };
    }
  }
  return null;
}

/**
 * The stored form of `raw` when an index lookup gives every object the predicate's `=` accepts,
 * or undefined (then the planner scans). Only types whose stored form is canonical qualify
 * (string, enum, integer, long, decimal, boolean); datetimes are scanned.
 */
function indexKeyOf(app: AppDefinition, entity: string, member: string, raw: unknown): { key: unknown } | undefined {
  const attr = app.entity(entity).attributes.get(member);
  if (attr === undefined) return undefined;
  let value: unknown = raw;
  switch (attr.type) {
    case 'string':
    case 'enum':
      if (typeof raw !== 'string') return undefined;
      break;
    case 'boolean':
      if (typeof raw !== 'boolean') return undefined;
      break;
    case 'integer':
    case 'long':
      value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
      break;
    case 'decimal':
      if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
      break;
    default:
      return undefined;
  }
  try {
    return { key: normalizeAttribute(attr, value, { entity, member }) };
  } catch {
    return undefined; // e.g. out of range: no stored value can equal it; the scan proves it
  }
}

function accessOf(app: AppDefinition, entity: string, constraint: Expr, variables: Record<string, unknown>): QueryAccess {
  const def = app.entity(entity);
  const indexed = new Set(def.indexes.map((i) => i.attribute));
  const conjuncts = constraint.kind === 'and' ? constraint.operands : [constraint];
  let best: QueryAccess = { kind: 'scan' };
  for (const c of conjuncts) {
    const alternatives = c.kind === 'or' ? c.operands : [c];
    const found = alternatives.map((a) => equality(a, variables));
    if (found.some((f) => f === null)) continue;
    const eqs = found as { member: string; raw: unknown }[];
    const member = eqs[0]!.member;
    if (!eqs.every((f) => f.member === member)) continue;
    if (member === 'id') {
      if (eqs.every((f) => typeof f.raw === 'string')) return { kind: 'ids', ids: [...new Set(eqs.map((f) => f.raw as string))] };
      continue;
    }
    if (!indexed.has(member) || best.kind !== 'scan') continue;
    const keys = eqs.map((f) => indexKeyOf(app, entity, member, f.raw));
    if (keys.some((k) => k === undefined)) continue;
    best = { kind: 'index', attribute: member, values: keys.map((k) => k!.key) };
  }
  return best;
}

/**
 * Plans a checked constraint on `entity`: which objects to read as candidates and which entities
 * to preload for its paths. `variables` are only looked at for index keys.
 */
export function planLocalQuery(app: AppDefinition, entity: string, ast: XPathAst, variables: Record<string, unknown> = {}): LocalQueryPlan {
  const reached = new Set<string>();
  const vars = new Set<string>();
  collectExpr(app, entity, ast.constraint, reached, vars);
  return { entity, access: accessOf(app, entity, ast.constraint, variables), reached, variables: vars };
}
