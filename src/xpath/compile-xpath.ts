import type { AppDefinition, VaultObject } from '../app/index.js';
import type { CompareExpr, CompareOp, Expr, XPathAst } from './ast.js';
import { checkXPath, operandInfo, type Domain, type OperandInfo } from './check-xpath.js';
import { applyOp, coerce, compareCoerced, EMPTY_LITERAL, INVALID, isEmptyValue } from './coerce-value.js';
import { compareDecimal, decimalComparer, numberToDecimal } from './decimal-compare.js';
import { compileOperand, compilePath, type CompileScope, type Predicate } from './compile-operand.js';
import { parseXPath } from './parse-xpath.js';
import type { XPathContext } from './xpath-context.js';

export type { Predicate } from './compile-operand.js';

/** The domain a comparison is made in: the typed side's (attribute, id, function), else a literal's. */
function compareDomain(l: OperandInfo, r: OperandInfo): Domain {
  const typed = [l, r].find((i) => i.typed && i.domain !== 'any');
  const chosen = typed ?? [l, r].find((i) => i.domain !== 'any' && i.domain !== 'empty');
  if (chosen === undefined) return 'any';
  return chosen.domain === 'enum' ? 'string' : chosen.domain;
}

/** `x = empty` / `x != empty`: only emptiness matters. */
function emptyTest(op: CompareExpr['op'], v: unknown): boolean {
  const empty = isEmptyValue(v) || v === EMPTY_LITERAL;
  return op === '=' ? empty : op === '!=' ? !empty : false;
}

const FLIP: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `a op b` is `b flipOp(op) a`. */
function flipOp(op: CompareOp): CompareOp {
  return FLIP[op];
}

/** Comparison of a numeric value with a fixed decimal literal `cb`, exact (no float rounding). */
function numericComparer(cb: string): (a: unknown) => number {
  const text = decimalComparer(cb);
  const asNumber = Number(cb);
  const shortest = numberToDecimal(asNumber);
  // When cb is exactly the shortest text of a double, comparing doubles orders like comparing
  // their shortest decimal texts (which is what the decimal path below does for numbers).
  const exact = shortest !== null && compareDecimal(shortest, cb) === 0;
  return (a) => {
    if (typeof a === 'number' && exact && Number.isFinite(a)) return a < asNumber ? -1 : a > asNumber ? 1 : 0;
    const ca = coerce('numeric', a);
    return typeof ca === 'string' ? text(ca) : Number.NaN;
  };
}

/**
 * The test of one value against a literal, in a domain: the same answers as coercing both sides
 * and `compareCoerced`, with the literal's work done once.
 */
function constantTest(domain: Domain, op: CompareOp, cv: unknown): (a: unknown) => boolean {
  const cb = coerce(domain, cv);
  let cmp: (a: unknown) => number;
  if (cb === INVALID) cmp = () => Number.NaN;
  else if (domain === 'numeric' && typeof cb === 'string') cmp = numericComparer(cb);
  else if ((domain === 'string' || domain === 'ref') && typeof cb === 'string') {
    cmp = (a) => (typeof a === 'string' ? (a === cb ? 0 : a < cb ? -1 : 1) : compareCoerced(domain, coerce(domain, a), cb));
  } else cmp = (a) => compareCoerced(domain, coerce(domain, a), cb);
  return (a) => {
    if (a === EMPTY_LITERAL) return emptyTest(op, cv);
    if (a === null || a === undefined) return false;
    return applyOp(op, cmp(a));
  };
}

class Compiler implements CompileScope {
  constructor(
    readonly app: AppDefinition,
    readonly source: string,
  ) {}

  private compare(e: CompareExpr, entity: string): Predicate {
    const scope = { app: this.app, entity };
    const domain = compareDomain(operandInfo(scope, this.source, entity, e.left), operandInfo(scope, this.source, entity, e.right));
    const left = compileOperand(this, entity, e.left);
    const right = compileOperand(this, entity, e.right);
    const op = e.op;
    if (e.left.kind === 'empty' || e.right.kind === 'empty') {
      const other = e.left.kind === 'empty' ? right : left;
      return (o, c) => other.each(o, c, (v) => emptyTest(op, v));
    }
    // One value pair: empty only matches the empty literal; otherwise compare in the domain.
    const pair = (a: unknown, b: unknown): boolean => {
      if (a === EMPTY_LITERAL) return emptyTest(op, b);
      if (b === EMPTY_LITERAL) return emptyTest(op, a);
      if (isEmptyValue(a) || isEmptyValue(b)) return false;
      return applyOp(op, compareCoerced(domain, coerce(domain, a), coerce(domain, b)));
    };
    // A literal on one side (the common case): coerced once, here; the other side read directly
    // when it is an attribute of the object itself (no callback per object).
    const constantSide = right.constant !== undefined ? { value: right.constant.value, other: left, op } : left.constant !== undefined ? { value: left.constant.value, other: right, op: flipOp(op) } : null;
    if (constantSide !== null) {
      const test = constantTest(domain, constantSide.op, constantSide.value);
      const { other } = constantSide;
      if (other.read !== undefined) {
        const read = other.read;
        return (o) => test(read(o));
      }
      return (o, c) => other.each(o, c, test);
    }
    return (o, c) => left.each(o, c, (a) => right.each(o, c, (b) => pair(a, b)));
  }

  compileExpr(e: Expr, entity: string): Predicate {
    switch (e.kind) {
      case 'and': {
        const parts = e.operands.map((x) => this.compileExpr(x, entity));
        if (parts.length === 2) {
          const [a, b] = parts as [Predicate, Predicate];
          return (o, c) => a(o, c) && b(o, c);
        }
        return (o, c) => {
          for (let i = 0; i < parts.length; i += 1) if (!parts[i]!(o, c)) return false;
          return true;
        };
      }
      case 'or': {
        const parts = e.operands.map((x) => this.compileExpr(x, entity));
        if (parts.length === 2) {
          const [a, b] = parts as [Predicate, Predicate];
          return (o, c) => a(o, c) || b(o, c);
        }
        return (o, c) => {
          for (let i = 0; i < parts.length; i += 1) if (parts[i]!(o, c)) return true;
          return false;
        };
      }
      case 'not': {
        const inner = this.compileExpr(e.operand, entity);
        return (o, c) => !inner(o, c);
      }
      case 'exists': {
        const { walk } = compilePath(this, entity, e.path);
        return (o, c) => walk(o, c, () => true);
      }
      case 'compare':
        return this.compare(e, entity);
      case 'string-match': {
        const subject = compileOperand(this, entity, e.subject);
        const needle = compileOperand(this, entity, e.needle);
        const fn = e.fn;
        // Case-insensitive via Unicode lower-casing (locale independent). An empty needle matches
        // every non-empty subject (mendix.md: contains(a, '') = a != empty).
        const match = (v: unknown, n: unknown): boolean => {
          if (typeof v !== 'string') return false;
          const s = n === EMPTY_LITERAL || isEmptyValue(n) ? null : coerce('string', n);
          if (typeof s !== 'string') return false;
          const hay = v.toLowerCase();
          const nee = s.toLowerCase();
          return fn === 'contains' ? hay.includes(nee) : fn === 'starts-with' ? hay.startsWith(nee) : hay.endsWith(nee);
        };
        return (o, c) => subject.each(o, c, (v) => needle.each(o, c, (n) => match(v, n)));
      }
    }
  }
}

/**
 * Compiles a parsed constraint for `entity` into a predicate, once: the returned closure does no
 * AST work per object. Checks it first (`XPathTypeError`). At run time a missing variable throws
 * `VaultError('unknown-variable')`; a path without `ctx.resolve` throws `VaultError('no-resolver')`.
 */
export function compileXPathAst(ast: XPathAst, scope: { app: AppDefinition; entity: string }): (object: VaultObject, ctx?: XPathContext) => boolean {
  checkXPath(ast, scope);
  const predicate = new Compiler(scope.app, ast.source).compileExpr(ast.constraint, scope.entity);
  return (object, ctx = {}) => predicate(object, ctx);
}

/**
 * Parses, checks and compiles a constraint (`[Status != 'Closed']`) into `(object, ctx) => boolean`
 * with the semantics of DESIGN.md §3: existential paths, `not()` over paths including objects with
 * none, case-sensitive `=`, case-insensitive string functions, exact decimals, empty is false except
 * `= empty`.
 */
export function compileXPath(src: string, scope: { app: AppDefinition; entity: string }): (object: VaultObject, ctx?: XPathContext) => boolean {
  return compileXPathAst(parseXPath(src), scope);
}
