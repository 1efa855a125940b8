import type { Expr, Operand, PathStep, XPathAst } from '../../src/xpath/ast.js';

function step(s: PathStep): string {
  return `${s.association}${s.reversed ? '[reversed()]' : ''}/${s.entity}${s.filter === null ? '' : `[${expr(s.filter)}]`}`;
}

function path(steps: readonly PathStep[], last: string): string {
  return [...steps.map(step), last].join('/');
}

function operand(o: Operand): string {
  switch (o.kind) {
    case 'attribute':
      return path(o.path, o.name);
    case 'id':
      return path(o.path, 'id');
    case 'association':
      return path(o.path, `${o.association}${o.reversed ? '[reversed()]' : ''}`);
    case 'variable':
      return `$${o.name}`;
    case 'length':
      return `(${o.fn} ${operand(o.subject)})`;
    case 'date-part':
      return `(${o.part} ${operand(o.subject)}${o.timeZone === null ? '' : ` @${o.timeZone}`})`;
    case 'string':
      return JSON.stringify(o.value);
    case 'number':
      return `#${o.value}`;
    case 'boolean':
      return String(o.value);
    case 'empty':
      return 'empty';
    case 'object-token':
      return `%${o.token}${o.role === undefined ? '' : `:${o.role}`}`;
    case 'time-token': {
      const a = o.anchor.kind === 'now' ? 'now' : `${o.anchor.kind}:${o.anchor.unit}${o.anchor.utc ? ':utc' : ''}`;
      return `%(${[a, ...o.offsets.map((x) => `${x.sign > 0 ? '+' : '-'}${x.count}${x.period}`)].join(' ')})`;
    }
  }
}

/** A compact S-expression of an expression, for table-driven parser tests. */
export function expr(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.kind} ${e.operands.map(expr).join(' ')})`;
    case 'not':
      return `(not ${expr(e.operand)})`;
    case 'compare':
      return `(${e.op} ${operand(e.left)} ${operand(e.right)})`;
    case 'exists':
      return `(exists ${e.path.map(step).join('/')})`;
    case 'string-match':
      return `(${e.fn} ${operand(e.subject)} ${operand(e.needle)})`;
  }
}

export function show(ast: XPathAst): string {
  return expr(ast.constraint);
}
