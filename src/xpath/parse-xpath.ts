import type {
  AttributeRef,
  CompareOp,
  DatePart,
  Expr,
  Operand,
  PathStep,
  Span,
  XPathAst,
} from './ast.js';
import { lex, type LexToken } from './lexer.js';
import { parseTokenString } from './parse-token-string.js';
import { syntaxError } from './syntax-error.js';

/** Deepest nesting of brackets, parentheses and not() accepted (beyond it: a clear syntax error). */
export const MAX_XPATH_DEPTH = 64;

const COMPARE_OPS = ['=', '!=', '<', '<=', '>', '>='];
const STRING_MATCH = new Set(['contains', 'starts-with', 'ends-with']);
const DATE_PARTS: readonly DatePart[] = ['year', 'month', 'day', 'hours', 'minutes', 'seconds', 'quarter', 'day-of-year', 'week', 'weekday'];
const DATE_FN = /^(.+)-from-dateTime$/;
const OPERAND_START = ['<attribute>', '<path>', '<string>', '<number>', '$variable', 'empty', 'true()', 'false()'];
const EXPR_START = ['not(', '(', ...OPERAND_START];

/** A path ending at an entity: only valid as an existence test. */
interface EntityPath {
  readonly kind: 'entity-path';
  readonly path: readonly PathStep[];
  readonly span: Span;
}

function and(operands: Expr[], span: Span): Expr {
  const flat = operands.flatMap((e) => (e.kind === 'and' ? e.operands : [e]));
  return flat.length === 1 ? flat[0]! : { kind: 'and', operands: flat, span };
}

function or(operands: Expr[], span: Span): Expr {
  const flat = operands.flatMap((e) => (e.kind === 'or' ? e.operands : [e]));
  return flat.length === 1 ? flat[0]! : { kind: 'or', operands: flat, span };
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: LexToken[]) {}

  private get peek(): LexToken {
    return this.tokens[this.i]!;
  }
  private next(): LexToken {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'eof') this.i += 1;
    return t;
  }
  private at(text: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t !== undefined && (t.kind === 'punct' || t.kind === 'op' || t.kind === 'name') && t.text === text;
  }
  private fail(expected: readonly string[], t: LexToken = this.peek): never {
    throw syntaxError(t.start, t.kind === 'eof' ? null : t.text, expected);
  }
  private expect(text: string): LexToken {
    if (!this.at(text)) this.fail([text]);
    return this.next();
  }
  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_XPATH_DEPTH) {
      const t = this.peek;
      throw syntaxError(t.start, t.kind === 'eof' ? null : t.text, [], `Constraint nested deeper than ${MAX_XPATH_DEPTH} levels`);
    }
  }
  private leave(): void {
    this.depth -= 1;
  }

  /** Whole input: bracket groups joined by adjacency/`and`/`or`, or one bare expression. */
  parseAll(source: string): XPathAst {
    const start = this.peek.start;
    const constraint = this.at('[') ? this.parseTopOr() : this.parseOr();
    if (this.peek.kind !== 'eof') this.fail(this.tokens[0]!.text === '[' ? ['[', 'and', 'or', '<end of input>'] : ['and', 'or', '<end of input>']);
    return { kind: 'xpath', source, constraint, span: { start, end: source.length } };
  }

  private parseTopOr(): Expr {
    const start = this.peek.start;
    const parts = [this.parseTopAnd()];
    while (this.at('or') && this.at('[', 1)) {
      this.next();
      parts.push(this.parseTopAnd());
    }
    return or(parts, { start, end: this.tokens[this.i - 1]!.end });
  }

  private parseTopAnd(): Expr {
    const start = this.peek.start;
    const parts = [this.parseBracket()];
    for (;;) {
      if (this.at('[')) parts.push(this.parseBracket());
      else if (this.at('and') && this.at('[', 1)) {
        this.next();
        parts.push(this.parseBracket());
      } else break;
    }
    return and(parts, { start, end: this.tokens[this.i - 1]!.end });
  }

  private parseBracket(): Expr {
    this.expect('[');
    this.enter();
    const e = this.parseOr();
    this.leave();
    if (!this.at(']')) this.fail([']', 'and', 'or']);
    this.next();
    return e;
  }

  private parseOr(): Expr {
    const start = this.peek.start;
    const parts = [this.parseAnd()];
    while (this.at('or')) {
      this.next();
      parts.push(this.parseAnd());
    }
    return or(parts, { start, end: this.tokens[this.i - 1]!.end });
  }

  private parseAnd(): Expr {
    const start = this.peek.start;
    const parts = [this.parseUnary()];
    while (this.at('and')) {
      this.next();
      parts.push(this.parseUnary());
    }
    return and(parts, { start, end: this.tokens[this.i - 1]!.end });
  }

  private parseUnary(): Expr {
    const t = this.peek;
    if (this.at('(')) {
      this.next();
      this.enter();
      const e = this.parseOr();
      this.leave();
      if (!this.at(')')) this.fail([')', 'and', 'or']);
      this.next();
      return e;
    }
    if (t.kind === 'name' && t.text === 'not' && this.at('(', 1)) {
      this.next();
      this.next();
      this.enter();
      const operand = this.parseOr();
      this.leave();
      const close = this.expectClose([')', 'and', 'or']);
      return { kind: 'not', operand, span: { start: t.start, end: close.end } };
    }
    if (t.kind === 'name' && STRING_MATCH.has(t.text) && this.at('(', 1)) {
      this.next();
      this.next();
      const subject = this.parseAttributeArg();
      this.expect(',');
      const needle = this.parseOperand();
      if (needle.kind === 'entity-path') this.fail(['/'], this.tokens[this.i]);
      const close = this.expectClose([')']);
      return { kind: 'string-match', fn: t.text as 'contains', subject, needle, span: { start: t.start, end: close.end } };
    }
    const left = this.parseOperand();
    const op = this.peek;
    if (op.kind === 'op' && COMPARE_OPS.includes(op.text)) {
      if (left.kind === 'entity-path') this.fail(['/', ']'], op);
      this.next();
      const right = this.parseOperand();
      if (right.kind === 'entity-path') this.fail(['/'], this.peek);
      return { kind: 'compare', op: op.text as CompareOp, left, right, span: { start: left.span.start, end: right.span.end } };
    }
    if (left.kind === 'entity-path') return { kind: 'exists', path: left.path, span: left.span };
    return this.fail(COMPARE_OPS);
  }

  private expectClose(expected: string[]): LexToken {
    if (!this.at(')')) this.fail(expected);
    return this.next();
  }

  /** First argument of a function: an attribute, possibly over a path. */
  private parseAttributeArg(): AttributeRef {
    const t = this.peek;
    const operand = this.parseOperand();
    if (operand.kind !== 'attribute') {
      throw syntaxError(t.start, t.kind === 'eof' ? null : t.text, ['<attribute>'], `Expected an attribute as function argument at ${t.start} but found '${t.text}'`);
    }
    return operand;
  }

  private parseOperand(): Operand | EntityPath {
    const t = this.peek;
    const span = { start: t.start, end: t.end };
    switch (t.kind) {
      case 'string': {
        this.next();
        return parseTokenString(t) ?? { kind: 'string', value: t.value, span };
      }
      case 'number':
        this.next();
        return { kind: 'number', value: t.text, span };
      case 'variable':
        this.next();
        return { kind: 'variable', name: t.value, span };
      case 'qname':
        return this.parsePath([], t.start);
      case 'name':
        return this.parseNamed(t);
      default:
        return this.fail(EXPR_START);
    }
  }

  private parseNamed(t: LexToken): Operand {
    const span = { start: t.start, end: t.end };
    if (this.at('(', 1)) {
      if (t.text === 'true' || t.text === 'false') {
        this.next();
        this.next();
        const close = this.expectClose([')']);
        return { kind: 'boolean', value: t.text === 'true', span: { start: t.start, end: close.end } };
      }
      if (t.text === 'length' || t.text === 'string-length') {
        this.next();
        this.next();
        const subject = this.parseAttributeArg();
        const close = this.expectClose([')']);
        return { kind: 'length', fn: t.text, subject, span: { start: t.start, end: close.end } };
      }
      const m = DATE_FN.exec(t.text);
      if (m !== null && (DATE_PARTS as readonly string[]).includes(m[1]!)) {
        this.next();
        this.next();
        const subject = this.parseAttributeArg();
        let timeZone: string | null = null;
        if (this.at(',')) {
          this.next();
          const z = this.peek;
          if (z.kind !== 'string') this.fail(['<time zone string>']);
          this.next();
          timeZone = z.value;
        }
        const close = this.expectClose([',', ')']);
        return { kind: 'date-part', part: m[1] as DatePart, subject, timeZone, span: { start: t.start, end: close.end } };
      }
      throw syntaxError(t.start, t.text, ['<function>'], `Unknown function '${t.text.slice(0, 40)}'`);
    }
    this.next();
    if (t.text === 'empty' || t.text === 'NULL') return { kind: 'empty', span };
    if (t.text === 'id') return { kind: 'id', path: [], span };
    if (t.text === 'and' || t.text === 'or') this.fail(OPERAND_START, t);
    return { kind: 'attribute', path: [], name: t.text, span };
  }

  /** `Assoc[reversed()]/Entity[pred]*` repeated, ending at an association, entity, attribute or id. */
  private parsePath(steps: PathStep[], start: number): Operand | EntityPath {
    const assocTok = this.next();
    let reversed = false;
    let end = assocTok.end;
    if (this.at('[') && this.at('reversed', 1)) {
      this.next();
      this.next();
      this.expect('(');
      this.expect(')');
      end = this.expect(']').end;
      reversed = true;
    }
    if (!this.at('/')) {
      return { kind: 'association', path: steps, association: assocTok.text, reversed, span: { start, end } };
    }
    this.next();
    const entityTok = this.peek;
    if (entityTok.kind !== 'qname') this.fail(['<Module.Entity>']);
    this.next();
    end = entityTok.end;
    const filters: Expr[] = [];
    const filterStart = this.peek.start;
    while (this.at('[')) {
      filters.push(this.parseBracket());
      end = this.tokens[this.i - 1]!.end;
    }
    const step: PathStep = {
      kind: 'step',
      association: assocTok.text,
      reversed,
      entity: entityTok.text,
      filter: filters.length === 0 ? null : and(filters, { start: filterStart, end }),
      span: { start: assocTok.start, end },
    };
    const path = [...steps, step];
    if (!this.at('/')) return { kind: 'entity-path', path, span: { start, end } };
    this.next();
    const member = this.peek;
    if (member.kind === 'qname') {
      this.enter();
      const rest = this.parsePath(path, start);
      this.leave();
      return rest;
    }
    if (member.kind !== 'name' || this.at('(', 1) || ['and', 'or', 'empty', 'NULL'].includes(member.text)) {
      this.fail(['<attribute>', 'id', '<Module.Association>']);
    }
    this.next();
    const span = { start, end: member.end };
    if (member.text === 'id') return { kind: 'id', path, span };
    return { kind: 'attribute', path, name: member.text, span };
  }
}

/**
 * Parses a constraint (`[Name = 'x'][Sales.Order_Customer/Sales.Customer/City = 'y']`) into an AST.
 * Throws only `XPathSyntaxError` (details: position, found, expected).
 */
export function parseXPath(src: string): XPathAst {
  if (typeof src !== 'string') throw syntaxError(0, null, ['<string>'], 'Constraint must be a string');
  return new Parser(lex(src)).parseAll(src);
}
