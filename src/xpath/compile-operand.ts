import type { AppDefinition, VaultObject } from '../app/index.js';
import { VaultError } from '../core/errors.js';
import type { Operand, PathStep } from './ast.js';
import { EMPTY_LITERAL, isEmptyValue } from './coerce-value.js';
import { resolveStep } from './resolve-step.js';
import { datePartValue, timeTokenValue, zoneOf } from './time-token-value.js';
import type { XPathContext } from './xpath-context.js';

/** A compiled boolean expression. */
export type Predicate = (object: VaultObject, ctx: XPathContext) => boolean;

/** Calls `test` on each value an operand yields for `object` until one returns true (existential). */
export type Each = (object: VaultObject, ctx: XPathContext, test: (value: unknown) => boolean) => boolean;

/** Walks a path from `object`, calling `leaf` on each object reached until one returns true. */
export type Walk = (object: VaultObject, ctx: XPathContext, leaf: (object: VaultObject) => boolean) => boolean;

/**
 * A compiled operand: `each` for every operand, plus `constant` for literals (value known now) and
 * `read` for an attribute or id of the object itself (one value, no path: read without a callback).
 */
export interface CompiledOperand {
  readonly each: Each;
  readonly constant?: { readonly value: unknown };
  readonly read?: (object: VaultObject) => unknown;
}

/** What the operand compiler needs from the expression compiler (filters on path steps). */
export interface CompileScope {
  readonly app: AppDefinition;
  readonly source: string;
  compileExpr(expr: NonNullable<PathStep['filter']>, entity: string): Predicate;
}

type Resolve = NonNullable<XPathContext['resolve']>;

function resolverOf(ctx: XPathContext): Resolve {
  if (ctx.resolve === undefined) {
    throw new VaultError('no-resolver', 'This constraint follows an association: pass XPathContext.resolve', {});
  }
  return ctx.resolve;
}

/** Compiles path steps (resolving directions and filters once); returns the walk and end entity. */
export function compilePath(scope: CompileScope, entity: string, steps: readonly PathStep[]): { walk: Walk; entity: string } {
  let current = entity;
  const compiled = steps.map((step) => {
    const r = resolveStep(scope.app, current, step.association, step.reversed, scope.source, step.span);
    current = r.target;
    return { association: r.association, direction: r.direction, filter: step.filter === null ? null : scope.compileExpr(step.filter, r.target) };
  });
  const n = compiled.length;
  if (n === 0) return { walk: (o, _c, leaf) => leaf(o), entity };
  const walk: Walk = (object, ctx, leaf) => {
    const resolve = resolverOf(ctx);
    const visit = (i: number, x: VaultObject): boolean => {
      if (i === n) return leaf(x);
      const s = compiled[i]!;
      for (const y of resolve(s.association, x, s.direction)) {
        if (s.filter !== null && !s.filter(y, ctx)) continue;
        if (visit(i + 1, y)) return true;
      }
      return false;
    };
    return visit(0, object);
  };
  return { walk, entity: current };
}

function constant(value: unknown): CompiledOperand {
  return { each: (_o, _c, test) => test(value), constant: { value } };
}

/** Mapping a raw stored value before the test; empty stays empty (its comparisons are false). */
function mapped(source: CompiledOperand, f: (v: unknown, ctx: XPathContext) => unknown): CompiledOperand {
  return { each: (o, c, test) => source.each(o, c, (v) => test(isEmptyValue(v) ? null : f(v, c))) };
}

/** Compiles an operand (already checked by `checkXPath`) into a value source. */
export function compileOperand(scope: CompileScope, entity: string, op: Operand): CompiledOperand {
  switch (op.kind) {
    case 'attribute': {
      const { walk } = compilePath(scope, entity, op.path);
      const name = op.name;
      if (op.path.length === 0) return { each: (o, _c, test) => test(o[name]), read: (o) => o[name] };
      return { each: (o, c, test) => walk(o, c, (x) => test(x[name])) };
    }
    case 'id': {
      if (op.path.length === 0) return { each: (o, _c, test) => test(o.id), read: (o) => o.id };
      const { walk } = compilePath(scope, entity, op.path);
      return { each: (o, c, test) => walk(o, c, (x) => test(x.id)) };
    }
    case 'association': {
      const path = compilePath(scope, entity, op.path);
      const r = resolveStep(scope.app, path.entity, op.association, op.reversed, scope.source, op.span);
      const { association } = r;
      const name = association.name;
      // Forward: the stored reference value (id or null; reference set: array of ids, existential).
      const member =
        r.direction === 'forward'
          ? (x: VaultObject, _c: XPathContext, test: (v: unknown) => boolean): boolean => {
              const v = x[name];
              return Array.isArray(v) ? v.some((id) => test(id)) : test(v);
            }
          : (x: VaultObject, c: XPathContext, test: (v: unknown) => boolean): boolean =>
              resolverOf(c)(association, x, 'backward').some((y) => test(y.id));
      return { each: (o, c, test) => path.walk(o, c, (x) => member(x, c, test)) };
    }
    case 'length':
      return mapped(compileOperand(scope, entity, op.subject), (v) => (typeof v === 'string' ? [...v].length : null));
    case 'date-part': {
      const zone = op.timeZone;
      const part = op.part;
      return mapped(compileOperand(scope, entity, op.subject), (v, c) => {
        const ms = typeof v === 'string' ? Date.parse(v) : v instanceof Date ? v.getTime() : Number.NaN;
        return Number.isNaN(ms) ? null : datePartValue(ms, part, zone ?? zoneOf(c));
      });
    }
    case 'variable': {
      const name = op.name;
      return {
        each: (_o, c, test) => {
          const vars = c.variables;
          if (vars === undefined || !Object.prototype.hasOwnProperty.call(vars, name)) {
            throw new VaultError('unknown-variable', `XPath variable $${name} has no value in the context`, { variable: name });
          }
          const v = vars[name];
          if (isEmptyValue(v)) return test(EMPTY_LITERAL);
          return Array.isArray(v) ? v.some((x) => test(x)) : test(v);
        },
      };
    }
    case 'string':
    case 'number':
    case 'boolean':
      return constant(op.value);
    case 'empty':
      return constant(EMPTY_LITERAL);
    case 'object-token':
      if (op.token === 'UserRole') return constant(op.role);
      if (op.token === 'CurrentUser') return { each: (_o, c, test) => test(c.user?.id ?? null) };
      return { each: (_o, c, test) => test(c.currentObject ?? null) };
    case 'time-token':
      return { each: (_o, c, test) => test(timeTokenValue(op, c)) };
  }
}
