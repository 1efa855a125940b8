import type { Expr, Operand, PathStep, TimeToken, XPathAst } from './ast.js';

/** `'text'` with `'` doubled. */
function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function printPath(path: readonly PathStep[]): string {
  return path.map((s) => `${s.association}${s.reversed ? '[reversed()]' : ''}/${s.entity}${s.filter === null ? '' : `[${printExpr(s.filter)}]`}/`).join('');
}

function printTime(t: TimeToken): string {
  const a = t.anchor;
  const head = a.kind === 'now' ? '[%CurrentDateTime%]' : `[%${a.kind === 'begin' ? 'BeginOf' : 'EndOf'}${a.unit}${a.utc ? 'UTC' : ''}%]`;
  const tail = t.offsets.map((o) => ` ${o.sign === 1 ? '+' : '-'} ${o.count} * [%${o.period}Length%]`).join('');
  return quote(head + tail);
}

function printOperand(op: Operand): string {
  switch (op.kind) {
    case 'attribute':
      return printPath(op.path) + op.name;
    case 'id':
      return `${printPath(op.path)}id`;
    case 'association':
      return `${printPath(op.path)}${op.association}${op.reversed ? '[reversed()]' : ''}`;
    case 'variable':
      return `$${op.name}`;
    case 'length':
      return `${op.fn}(${printOperand(op.subject)})`;
    case 'date-part':
      return `${op.part}-from-dateTime(${printOperand(op.subject)}${op.timeZone === null ? '' : `, ${quote(op.timeZone)}`})`;
    case 'string':
      return quote(op.value);
    case 'number':
      return op.value;
    case 'boolean':
      return op.value ? 'true()' : 'false()';
    case 'empty':
      return 'empty';
    case 'object-token':
      return quote(op.token === 'UserRole' ? `[%UserRole_${op.role ?? ''}%]` : `[%${op.token}%]`);
    case 'time-token':
      return printTime(op);
  }
}

/** Prints an expression; `or` inside `and` gets parentheses (the only precedence that needs them). */
function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'and':
      return e.operands.map((x) => (x.kind === 'or' ? `(${printExpr(x)})` : printExpr(x))).join(' and ');
    case 'or':
      return e.operands.map(printExpr).join(' or ');
    case 'not':
      return `not(${printExpr(e.operand)})`;
    case 'exists':
      return printPath(e.path).slice(0, -1);
    case 'compare':
      return `${printOperand(e.left)} ${e.op} ${printOperand(e.right)}`;
    case 'string-match':
      return `${e.fn}(${printOperand(e.subject)}, ${printOperand(e.needle)})`;
  }
}

/**
 * Prints an AST as one bracketed constraint (`[a and (b or c)]`) that `parseXPath` reads back into
 * the same tree (spans aside): strings re-escaped, number text as written, tokens re-quoted, one
 * bracket per step filter (several brackets were and-ed into one filter by the parser).
 */
export function printXPath(ast: XPathAst | Expr): string {
  return `[${printExpr(ast.kind === 'xpath' ? ast.constraint : ast)}]`;
}
