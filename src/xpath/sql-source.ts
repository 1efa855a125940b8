import type { AppDefinition, AttributeDef, EntityDef } from '../app/types.js';
import { ValidationError, VaultError } from '../core/errors.js';
import type { DatePart, Expr, Operand, PathStep } from './ast.js';
import { EMPTY_LITERAL, isEmptyValue } from './coerce-value.js';
import { resolveStep } from './resolve-step.js';
import { quoteIdent, type SqlDialect, type SqlParams } from './sql-dialect.js';
import { ID_COLUMN, type SqlNaming } from './sql-schema.js';
import { timeTokenValue, zoneOf } from './time-token-value.js';
import type { XPathContext } from './xpath-context.js';

/** How a typed value is represented in SQL (decides casts and encodings of constants). */
export type SqlKind = 'text' | 'int' | 'dec' | 'bool' | 'datetime';

/**
 * The values of a typed operand (attribute, id, association, function) as SQL. With `from` empty
 * the value is on the current row; otherwise the values are those of the rows `from` x `where`
 * yield, to be tested existentially inside `EXISTS (SELECT 1 FROM ... WHERE ...)`.
 */
export interface TypedSource {
  readonly typed: true;
  readonly from: readonly string[];
  readonly where: readonly string[];
  readonly value: string;
  /** SQL that is true when the value is empty, or null when it never is. */
  readonly emptyTest: string | null;
  readonly kind: SqlKind;
}

/** The raw values of an operand known at compile time (literal, token, variable); existential. */
export interface ConstSource {
  readonly typed: false;
  readonly values: readonly unknown[];
}

export type SqlSource = TypedSource | ConstSource;

/** What operand compilation needs from the compiler. */
export interface SqlScope {
  readonly app: AppDefinition;
  readonly dialect: SqlDialect;
  readonly naming: Required<SqlNaming>;
  readonly params: SqlParams;
  /** Context with a fixed clock: every token of one query sees the same instant. */
  readonly ctx: XPathContext;
  readonly source: string;
  nextAlias(): string;
  /** A definite (never NULL) SQL boolean for `expr` on the row `alias` (quoted) of `entity`. */
  compileExpr(expr: Expr, entity: string, alias: string): string;
}

const ATTRIBUTE_KIND: Record<AttributeDef['type'], SqlKind> = {
  string: 'text',
  enum: 'text',
  integer: 'int',
  long: 'int',
  decimal: 'dec',
  boolean: 'bool',
  datetime: 'datetime',
};

const PG_DATE_FIELD: Record<DatePart, string> = {
  year: 'year',
  month: 'month',
  day: 'day',
  hours: 'hour',
  minutes: 'minute',
  seconds: 'second',
  quarter: 'quarter',
  'day-of-year': 'doy',
  week: 'week',
  weekday: 'dow',
};

function persistentEntity(scope: SqlScope, name: string): EntityDef {
  const entity = scope.app.entity(name);
  if (!entity.persistent) {
    throw new ValidationError('not-persistent', `Memory-only entity ${name} has no table to query`, { entity: name });
  }
  return entity;
}

/** `"alias"."column"` */
function col(scope: SqlScope, alias: string, column: string): string {
  return `${alias}.${quoteIdent(column, scope.dialect)}`;
}

function tableAs(scope: SqlScope, entity: string, alias: string): string {
  persistentEntity(scope, entity);
  return `${quoteIdent(scope.naming.tableOf(entity), scope.dialect)} AS ${alias}`;
}

/** Rows reached by a path, as FROM items and join conditions; `alias` is the last step's row. */
export interface SqlPath {
  readonly from: string[];
  readonly where: string[];
  readonly alias: string;
  readonly entity: string;
}

/**
 * Joins for an association step from `alias` (a row of `entity`): forward over a reference is the
 * target whose id is in the column; over a reference set, through the junction table; backward, the
 * `from` rows pointing at `alias`. Dangling ids reach no row, as `XPathContext.resolve` returns none.
 */
function joinStep(scope: SqlScope, entity: string, alias: string, association: string, reversed: boolean, into: SqlPath & { from: string[]; where: string[] }): { alias: string; entity: string } {
  const r = resolveStep(scope.app, entity, association, reversed, scope.source);
  const a = r.association;
  const target = scope.nextAlias();
  into.from.push(tableAs(scope, r.target, target));
  if (a.type === 'reference') {
    if (r.direction === 'forward') into.where.push(`${col(scope, target, ID_COLUMN)} = ${col(scope, alias, scope.naming.columnOf(a.from, a.name))}`);
    else into.where.push(`${col(scope, target, scope.naming.columnOf(a.from, a.name))} = ${col(scope, alias, ID_COLUMN)}`);
  } else {
    const j = scope.naming.junctionOf(a.name);
    const ja = scope.nextAlias();
    into.from.push(`${quoteIdent(j.table, scope.dialect)} AS ${ja}`);
    const [mine, theirs] = r.direction === 'forward' ? [j.fromColumn, j.toColumn] : [j.toColumn, j.fromColumn];
    into.where.push(`${col(scope, ja, mine)} = ${col(scope, alias, ID_COLUMN)}`, `${col(scope, target, ID_COLUMN)} = ${col(scope, ja, theirs)}`);
  }
  return { alias: target, entity: r.target };
}

/** Compiles path steps (with their sub-constraints) starting at row `alias` of `entity`. */
export function compileSqlPath(scope: SqlScope, entity: string, alias: string, steps: readonly PathStep[]): SqlPath {
  const path = { from: [] as string[], where: [] as string[], alias, entity };
  for (const step of steps) {
    const next = joinStep(scope, path.entity, path.alias, step.association, step.reversed, path);
    path.alias = next.alias;
    path.entity = next.entity;
    if (step.filter !== null) path.where.push(scope.compileExpr(step.filter, next.entity, next.alias));
  }
  return path;
}

function typed(path: SqlPath, value: string, emptyTest: string | null, kind: SqlKind, extra: { from?: string[]; where?: string[] } = {}): TypedSource {
  return { typed: true, from: [...path.from, ...(extra.from ?? [])], where: [...path.where, ...(extra.where ?? [])], value, emptyTest, kind };
}

/** Values of a variable, as the predicate compiler sees them (null acts as `empty`, arrays are existential). */
function variableValues(ctx: XPathContext, name: string): unknown[] {
  const vars = ctx.variables;
  if (vars === undefined || !Object.prototype.hasOwnProperty.call(vars, name)) {
    throw new VaultError('unknown-variable', `XPath variable $${name} has no value in the context`, { variable: name });
  }
  const v = vars[name];
  if (isEmptyValue(v)) return [EMPTY_LITERAL];
  return Array.isArray(v) ? v : [v];
}

/** Compiles an operand (checked by `checkXPath`) on row `alias` of `entity`. */
export function compileSqlOperand(scope: SqlScope, entity: string, alias: string, op: Operand): SqlSource {
  const { dialect } = scope;
  switch (op.kind) {
    case 'attribute': {
      const path = compileSqlPath(scope, entity, alias, op.path);
      const attr = scope.app.entity(path.entity).attributes.get(op.name)!;
      const value = col(scope, path.alias, scope.naming.columnOf(path.entity, op.name));
      return typed(path, value, `${value} IS NULL`, ATTRIBUTE_KIND[attr.type]);
    }
    case 'id': {
      const path = compileSqlPath(scope, entity, alias, op.path);
      return typed(path, col(scope, path.alias, ID_COLUMN), null, 'text');
    }
    case 'association': {
      const path = compileSqlPath(scope, entity, alias, op.path);
      const r = resolveStep(scope.app, path.entity, op.association, op.reversed, scope.source, op.span);
      const a = r.association;
      if (r.direction === 'forward' && a.type === 'reference') {
        const value = col(scope, path.alias, scope.naming.columnOf(a.from, a.name));
        return typed(path, value, `${value} IS NULL`, 'text');
      }
      if (r.direction === 'forward') {
        // The stored ids themselves (also dangling ones), as the predicate reads the member.
        const j = scope.naming.junctionOf(a.name);
        const ja = scope.nextAlias();
        return typed(path, col(scope, ja, j.toColumn), null, 'text', {
          from: [`${quoteIdent(j.table, dialect)} AS ${ja}`],
          where: [`${col(scope, ja, j.fromColumn)} = ${col(scope, path.alias, ID_COLUMN)}`],
        });
      }
      const sub = { from: [] as string[], where: [] as string[], alias: path.alias, entity: path.entity };
      const next = joinStep(scope, path.entity, path.alias, op.association, op.reversed, sub);
      return typed(path, col(scope, next.alias, ID_COLUMN), null, 'text', sub);
    }
    case 'length': {
      const s = compileSqlOperand(scope, entity, alias, op.subject) as TypedSource;
      const value = dialect === 'sqlite' ? `ov_length(${s.value})` : `char_length(${s.value})`;
      return { ...s, value, kind: 'int' };
    }
    case 'date-part': {
      const s = compileSqlOperand(scope, entity, alias, op.subject) as TypedSource;
      const zone = scope.params.add(op.timeZone ?? zoneOf(scope.ctx));
      if (dialect === 'sqlite') {
        return { ...s, value: `ov_datepart(${scope.params.add(op.part)}, ${s.value}, ${zone})`, kind: 'int' };
      }
      const field = PG_DATE_FIELD[op.part];
      const extracted = `floor(extract(${field} from (${s.value} AT TIME ZONE ${zone}::text)))`;
      return { ...s, value: `CAST(${extracted}${op.part === 'weekday' ? ' + 1' : ''} AS integer)`, kind: 'int' };
    }
    case 'variable':
      return { typed: false, values: variableValues(scope.ctx, op.name) };
    case 'string':
    case 'number':
    case 'boolean':
      return { typed: false, values: [op.value] };
    case 'empty':
      return { typed: false, values: [EMPTY_LITERAL] };
    case 'object-token':
      if (op.token === 'UserRole') return { typed: false, values: [op.role] };
      if (op.token === 'CurrentUser') return { typed: false, values: [scope.ctx.user?.id ?? null] };
      return { typed: false, values: [scope.ctx.currentObject ?? null] };
    case 'time-token':
      return { typed: false, values: [timeTokenValue(op, scope.ctx)] };
  }
}
