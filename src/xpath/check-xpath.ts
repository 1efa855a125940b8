import type { AppDefinition, AttributeDef } from '../app/types.js';
import type { AttributeRef, CompareExpr, Expr, Operand, PathStep, Span, StringLiteral, XPathAst } from './ast.js';
import { resolveStep } from './resolve-step.js';
import { typeError } from './type-error.js';

/**
 * The value domain of an operand. `typed` operands come from the definition (attributes, ids,
 * associations, function results); the others are literals, tokens and variables.
 */
export type Domain = 'string' | 'enum' | 'numeric' | 'boolean' | 'datetime' | 'ref' | 'empty' | 'any';

export interface OperandInfo {
  readonly domain: Domain;
  readonly typed: boolean;
  /** For attributes: the definition (enum keys, exact type). */
  readonly attribute?: AttributeDef;
  readonly association?: boolean;
}

/** The checked scope: app and context entity. */
export interface XPathScope {
  readonly app: AppDefinition;
  readonly entity: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const ATTRIBUTE_DOMAIN: Record<string, Domain> = {
  string: 'string',
  integer: 'numeric',
  long: 'numeric',
  decimal: 'numeric',
  boolean: 'boolean',
  datetime: 'datetime',
  enum: 'enum',
};
const ORDERING = new Set(['<', '<=', '>', '>=']);

/** True for an IANA zone name `Intl` knows, or `UTC`. */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

class Checker {
  constructor(
    private readonly app: AppDefinition,
    private readonly source: string,
  ) {}

  private fail(span: Span, code: string, message: string, extra: Record<string, unknown> = {}): never {
    throw typeError(this.source, span, code, message, extra);
  }

  private entity(name: string, span: Span): void {
    if (!this.app.entities.has(name)) this.fail(span, 'unknown-entity', `Unknown entity ${name}`, { entity: name });
  }

  /** Walks the steps from `entity`, checking each filter; returns the entity at the end. */
  walk(entity: string, path: readonly PathStep[]): string {
    let current = entity;
    for (const step of path) {
      const resolved = resolveStep(this.app, current, step.association, step.reversed, this.source, step.span);
      this.entity(step.entity, step.span);
      if (step.entity !== resolved.target) {
        this.fail(step.span, 'wrong-path-step', `${step.association} leads from ${current} to ${resolved.target}, not ${step.entity}`, {
          entity: current,
          association: step.association,
        });
      }
      current = resolved.target;
      if (step.filter !== null) this.expr(current, step.filter);
    }
    return current;
  }

  attribute(entity: string, ref: AttributeRef): AttributeDef {
    const at = this.walk(entity, ref.path);
    const def = this.app.entities.get(at)?.attributes.get(ref.name);
    if (def === undefined) this.fail(ref.span, 'unknown-attribute', `${at} has no attribute ${ref.name}`, { entity: at, attribute: ref.name });
    return def;
  }

  operand(entity: string, op: Operand): OperandInfo {
    switch (op.kind) {
      case 'attribute': {
        const attribute = this.attribute(entity, op);
        return { domain: ATTRIBUTE_DOMAIN[attribute.type]!, typed: true, attribute };
      }
      case 'id':
        this.walk(entity, op.path);
        return { domain: 'ref', typed: true };
      case 'association': {
        const at = this.walk(entity, op.path);
        resolveStep(this.app, at, op.association, op.reversed, this.source, op.span);
        return { domain: 'ref', typed: true, association: true };
      }
      case 'length': {
        const attribute = this.attribute(entity, op.subject);
        if (attribute.type !== 'string') this.fail(op.span, 'function-type', `${op.fn}() needs a string attribute; ${op.subject.name} is ${attribute.type}`, { attribute: op.subject.name });
        return { domain: 'numeric', typed: true };
      }
      case 'date-part': {
        const attribute = this.attribute(entity, op.subject);
        if (attribute.type !== 'datetime') {
          this.fail(op.span, 'function-type', `${op.part}-from-dateTime() needs a datetime attribute; ${op.subject.name} is ${attribute.type}`, { attribute: op.subject.name });
        }
        if (op.timeZone !== null && !isTimeZone(op.timeZone)) this.fail(op.span, 'unknown-time-zone', 'Unknown time zone (use an IANA name or UTC)');
        return { domain: 'numeric', typed: true };
      }
      case 'variable':
        return { domain: 'any', typed: false };
      case 'string':
        return { domain: 'string', typed: false };
      case 'number':
        return { domain: 'numeric', typed: false };
      case 'boolean':
        return { domain: 'boolean', typed: false };
      case 'empty':
        return { domain: 'empty', typed: false };
      case 'object-token':
        if (op.token === 'UserRole' && !this.app.roles.includes(op.role!)) {
          this.fail(op.span, 'unknown-role', `Unknown user role in token [%UserRole_${op.role!}%]`, { role: op.role });
        }
        return { domain: 'ref', typed: false };
      case 'time-token':
        return { domain: 'datetime', typed: false };
    }
  }

  private compare(entity: string, e: CompareExpr): void {
    const l = this.operand(entity, e.left);
    const r = this.operand(entity, e.right);
    const ordering = ORDERING.has(e.op);
    for (const [a, b, lit] of [
      [l, r, e.right],
      [r, l, e.left],
    ] as const) {
      if (a.association === true && (b.domain === 'numeric' || b.domain === 'boolean' || b.domain === 'datetime')) {
        this.fail(e.span, 'association-type', 'An association compares only with object ids, variables or tokens');
      }
      if (a.association === true && b.domain === 'empty') {
        this.fail(e.span, 'empty-association', 'empty/NULL only applies to attributes; test an association with not(Assoc/Entity)');
      }
      if (a.attribute?.type === 'enum' && lit.kind === 'string' && !a.attribute.values!.includes(lit.value)) {
        this.fail(lit.span, 'unknown-enum-key', `${a.attribute.name} has no enumeration key '${lit.value.slice(0, 40)}'`, { attribute: a.attribute.name });
      }
    }
    if (ordering && (l.domain === 'boolean' || r.domain === 'boolean')) {
      this.fail(e.span, 'boolean-ordering', `Booleans compare only with = and !=, not ${e.op}`);
    }
    if (ordering && (l.domain === 'ref' || r.domain === 'ref' || l.domain === 'empty' || r.domain === 'empty')) {
      this.fail(e.span, 'invalid-ordering', `${e.op} does not apply to ids, associations or empty`);
    }
    if (!compatible(l, e.left, r, e.right)) {
      this.fail(e.span, 'type-mismatch', `Cannot compare ${describe(l)} with ${describe(r)}`);
    }
  }

  expr(entity: string, e: Expr): void {
    switch (e.kind) {
      case 'and':
      case 'or':
        for (const o of e.operands) this.expr(entity, o);
        return;
      case 'not':
        return this.expr(entity, e.operand);
      case 'exists':
        this.walk(entity, e.path);
        return;
      case 'compare':
        return this.compare(entity, e);
      case 'string-match': {
        const attribute = this.attribute(entity, e.subject);
        if (attribute.type !== 'string') {
          this.fail(e.span, 'function-type', `${e.fn}() needs a string attribute; ${e.subject.name} is ${attribute.type}`, { attribute: e.subject.name });
        }
        const needle = this.operand(entity, e.needle);
        if (needle.domain !== 'string' && needle.domain !== 'any' && !(needle.domain === 'ref' && !needle.typed)) {
          this.fail(e.needle.span, 'function-type', `${e.fn}() needs a string as second argument`);
        }
        return;
      }
    }
  }
}

function describe(i: OperandInfo): string {
  if (i.attribute !== undefined) return `${i.attribute.type} attribute ${i.attribute.name}`;
  if (i.association === true) return 'an association';
  return i.typed ? `a ${i.domain} value` : `a ${i.domain} literal`;
}

function isBooleanString(op: Operand): boolean {
  return op.kind === 'string' && (op.value === 'true' || op.value === 'false');
}

/** Whether two operand domains may be compared (variables match anything). */
function compatible(l: OperandInfo, lop: Operand, r: OperandInfo, rop: Operand): boolean {
  if (l.domain === 'any' || r.domain === 'any') return true;
  if (l.domain === 'empty' || r.domain === 'empty') {
    const other = l.domain === 'empty' ? r : l;
    return other.attribute !== undefined || other.domain === 'empty';
  }
  if (l.domain === r.domain) return true;
  for (const [a, b, bop] of [
    [l, r, rop],
    [r, l, lop],
  ] as const) {
    if (a.domain === 'boolean' && isBooleanString(bop)) return true;
    if (a.domain === 'datetime' && bop.kind === 'string' && ISO_DATE.test((bop as StringLiteral).value)) return true;
    if (a.domain === 'enum' && b.domain === 'string') return true;
    if (a.domain === 'ref' && b.domain === 'string') return true;
  }
  return false;
}

/**
 * Checks a parsed constraint against the app definition for context entity `entity`. Throws
 * `XPathTypeError` naming the offending part (`details.part`, `details.position`): unknown
 * attribute/association/entity, wrong path step, reversed() on a non-self association, an
 * association compared to a number/boolean/date or to empty, a function on a wrongly typed
 * attribute, an unknown enum key or role, ordering on booleans/ids, incompatible types.
 */
export function checkXPath(ast: XPathAst, scope: XPathScope): void {
  const checker = new Checker(scope.app, ast.source);
  if (!scope.app.entities.has(scope.entity)) {
    throw typeError(ast.source, ast.span, 'unknown-entity', `Unknown entity ${scope.entity}`, { entity: scope.entity });
  }
  checker.expr(scope.entity, ast.constraint);
}

/** Static information about an operand (after `checkXPath` succeeded); used by the compilers. */
export function operandInfo(scope: XPathScope, source: string, entity: string, op: Operand): OperandInfo {
  return new Checker(scope.app, source).operand(entity, op);
}
