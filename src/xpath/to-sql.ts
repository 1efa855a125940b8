import type { AppDefinition } from '../app/types.js';
import { ValidationError } from '../core/errors.js';
import type { CompareExpr, CompareOp, Expr, StringMatchExpr, XPathAst } from './ast.js';
import { checkXPath, operandInfo, type Domain, type OperandInfo } from './check-xpath.js';
import { applyOp, coerce, compareCoerced, EMPTY_LITERAL, INVALID, isEmptyValue } from './coerce-value.js';
import { parseXPath } from './parse-xpath.js';
import { compareConstant, compareTyped, flipOp, presentTest, SQL_FALSE, SQL_TRUE } from './sql-compare.js';
import { quoteIdent, SqlParams, type SqlDialect } from './sql-dialect.js';
import { resolveNaming, type SqlNaming } from './sql-schema.js';
import { compileSqlOperand, compileSqlPath, type SqlScope, type SqlSource, type TypedSource } from './sql-source.js';
import { nowOf } from './time-token-value.js';
import type { XPathContext } from './xpath-context.js';

/** Options of `toSql`: the entity queried, the dialect, and the storage naming (sql-schema.ts). */
export interface ToSqlOptions extends SqlNaming {
  readonly app: AppDefinition;
  readonly entity: string;
  readonly dialect: SqlDialect;
  /** Alias (unquoted) of the entity's table in the caller's query; default: the table name. */
  readonly alias?: string;
}

/** A WHERE condition and its bound parameters (SQLite `?`, PostgreSQL `$1..$n`). */
export interface SqlWhere {
  readonly where: string;
  readonly params: unknown[];
}

/** The domain a comparison is made in; the same rule as the predicate compiler (compile-xpath.ts). */
function compareDomain(l: OperandInfo, r: OperandInfo): Domain {
  const typed = [l, r].find((i) => i.typed && i.domain !== 'any');
  const chosen = typed ?? [l, r].find((i) => i.domain !== 'any' && i.domain !== 'empty');
  if (chosen === undefined) return 'any';
  return chosen.domain === 'enum' ? 'string' : chosen.domain;
}

function emptyTest(op: CompareOp, v: unknown): boolean {
  const empty = isEmptyValue(v) || v === EMPTY_LITERAL;
  return op === '=' ? empty : op === '!=' ? !empty : false;
}

/** One pair of values, exactly as the predicate compiler judges it (used for compile-time operands). */
function constantPair(op: CompareOp, domain: Domain, a: unknown, b: unknown): boolean {
  if (a === EMPTY_LITERAL) return emptyTest(op, b);
  if (b === EMPTY_LITERAL) return emptyTest(op, a);
  if (isEmptyValue(a) || isEmptyValue(b)) return false;
  return applyOp(op, compareCoerced(domain, coerce(domain, a), coerce(domain, b)));
}

function all(parts: readonly string[], joiner: 'AND' | 'OR'): string {
  if (parts.length === 0) return joiner === 'AND' ? SQL_TRUE : SQL_FALSE;
  return parts.length === 1 ? parts[0]! : `(${parts.join(` ${joiner} `)})`;
}

/** `EXISTS` over the rows of `from` (none: a plain condition on the current row). */
function exists(from: readonly string[], where: readonly string[]): string {
  if (from.length === 0) return all(where, 'AND');
  return `EXISTS (SELECT 1 FROM ${from.join(', ')} WHERE ${all(where, 'AND')})`;
}

/** Presence tests of typed sources (empty values compare false). */
function present(...sources: TypedSource[]): string[] {
  return sources.map(presentTest).filter((t): t is string => t !== null);
}

class SqlCompiler implements SqlScope {
  readonly params = new SqlParams();
  readonly naming: SqlScope['naming'];
  private aliases = 0;

  constructor(
    readonly app: AppDefinition,
    readonly dialect: SqlDialect,
    naming: SqlNaming,
    readonly ctx: XPathContext,
    readonly source: string,
  ) {
    this.naming = resolveNaming(naming);
  }

  nextAlias(): string {
    this.aliases += 1;
    return quoteIdent(`_ov${this.aliases}`, this.dialect);
  }

  /** `x op c` for each compile-time value `c`, over the (existential) values of `x`. */
  private typedAgainst(x: TypedSource, op: CompareOp, values: readonly unknown[], domain: Domain): string {
    const conds: string[] = [];
    for (const c of values) {
      if (c === EMPTY_LITERAL) {
        if (op === '=') conds.push(x.emptyTest ?? SQL_FALSE);
        else if (op === '!=') conds.push(presentTest(x) ?? SQL_TRUE);
        continue;
      }
      if (isEmptyValue(c)) continue;
      const cv = coerce(domain, c);
      if (cv === INVALID) continue;
      const cond = compareConstant(this, x, op, cv);
      if (cond === 'none') continue;
      conds.push(all([...present(x), ...(cond === 'all' ? [] : [cond])], 'AND'));
    }
    if (conds.length === 0) return SQL_FALSE;
    return exists(x.from, [...x.where, all(conds, 'OR')]);
  }

  private compare(e: CompareExpr, entity: string, alias: string): string {
    const scope = { app: this.app, entity };
    const domain = compareDomain(operandInfo(scope, this.source, entity, e.left), operandInfo(scope, this.source, entity, e.right));
    const left: SqlSource = compileSqlOperand(this, entity, alias, e.left);
    const right: SqlSource = compileSqlOperand(this, entity, alias, e.right);
    if (!left.typed && !right.typed) {
      const hit = left.values.some((a) => right.values.some((b) => constantPair(e.op, domain, a, b)));
      return hit ? SQL_TRUE : SQL_FALSE;
    }
    if (left.typed && !right.typed) return this.typedAgainst(left, e.op, right.values, domain);
    if (!left.typed && right.typed) return this.typedAgainst(right, flipOp(e.op), left.values, domain);
    const l = left as TypedSource;
    const r = right as TypedSource;
    return exists([...l.from, ...r.from], [...l.where, ...r.where, ...present(l, r), compareTyped(this, l, e.op, r)]);
  }

  private match(fn: StringMatchExpr['fn'], subject: string, needle: string): string {
    if (this.dialect === 'sqlite') return `ov_match('${fn}', ${subject}, ${needle}) = 1`;
    if (fn === 'contains') return `strpos(lower(${subject}), lower(${needle})) > 0`;
    if (fn === 'starts-with') return `starts_with(lower(${subject}), lower(${needle}))`;
    return `right(lower(${subject}), char_length(lower(${needle}))) = lower(${needle})`;
  }

  private stringMatch(e: StringMatchExpr, entity: string, alias: string): string {
    const subject = compileSqlOperand(this, entity, alias, e.subject) as TypedSource;
    const needle = compileSqlOperand(this, entity, alias, e.needle);
    if (needle.typed) {
      return exists([...subject.from, ...needle.from], [...subject.where, ...needle.where, ...present(subject, needle), this.match(e.fn, subject.value, needle.value)]);
    }
    const conds: string[] = [];
    for (const n of needle.values) {
      if (n === EMPTY_LITERAL || isEmptyValue(n)) continue;
      const s = coerce('string', n);
      if (typeof s !== 'string') continue;
      conds.push(this.match(e.fn, subject.value, `${this.params.add(s)}${this.dialect === 'postgres' ? '::text' : ''}`));
    }
    if (conds.length === 0) return SQL_FALSE;
    return exists(subject.from, [...subject.where, ...present(subject), all(conds, 'OR')]);
  }

  compileExpr(e: Expr, entity: string, alias: string): string {
    switch (e.kind) {
      case 'and':
        return all(e.operands.map((o) => this.compileExpr(o, entity, alias)), 'AND');
      case 'or':
        return all(e.operands.map((o) => this.compileExpr(o, entity, alias)), 'OR');
      case 'not':
        return `(NOT (${this.compileExpr(e.operand, entity, alias)}))`;
      case 'exists': {
        const path = compileSqlPath(this, entity, alias, e.path);
        return exists(path.from, path.where);
      }
      case 'compare':
        return this.compare(e, entity, alias);
      case 'string-match':
        return this.stringMatch(e, entity, alias);
    }
  }
}

/**
 * Compiles a parsed constraint to a SQL condition on the entity's table (see `toSql`).
 */
export function toSqlAst(ast: XPathAst, options: ToSqlOptions, ctx: XPathContext = {}): SqlWhere {
  checkXPath(ast, { app: options.app, entity: options.entity });
  if (!options.app.entity(options.entity).persistent) {
    throw new ValidationError('not-persistent', `Memory-only entity ${options.entity} has no table to query`, { entity: options.entity });
  }
  // One instant for every token of the query.
  const fixed: XPathContext = { ...ctx, now: new Date(nowOf(ctx)) };
  const compiler = new SqlCompiler(options.app, options.dialect, options, fixed, ast.source);
  const alias = quoteIdent(options.alias ?? compiler.naming.tableOf(options.entity), options.dialect);
  const sql = compiler.compileExpr(ast.constraint, options.entity, alias);
  const done = compiler.params.finish(sql, options.dialect);
  return { where: done.sql, params: done.params };
}

/**
 * Compiles an XPath constraint into a SQL WHERE condition for the storage conventions of
 * sql-schema.ts, with the same answers as `compileXPath` on the same data (tested differentially):
 * paths become EXISTS subqueries, every value is a bound parameter, identifiers come only from the
 * app definition and are quoted. Tokens and variables are resolved now, from `ctx` (user, clock,
 * time zone, variables). SQLite output calls functions that `registerSqliteFunctions` installs.
 */
export function toSql(src: string, options: ToSqlOptions, ctx: XPathContext = {}): SqlWhere {
  return toSqlAst(parseXPath(src), options, ctx);
}
