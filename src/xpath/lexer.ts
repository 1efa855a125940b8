import { syntaxError } from './syntax-error.js';

/** Lexical token kinds of an XPath constraint. */
export type LexKind = 'name' | 'qname' | 'string' | 'number' | 'variable' | 'punct' | 'op' | 'eof';

/** One lexical token; `start`/`end` are 0-based offsets into the source. */
export interface LexToken {
  readonly kind: LexKind;
  /** Source text (for strings: including the quotes). */
  readonly text: string;
  /** Strings: the content with `''` undone; names: the name; otherwise the text. */
  readonly value: string;
  /** Strings: source offset of each content character (for positions inside token strings). */
  readonly offsets?: readonly number[];
  readonly start: number;
  readonly end: number;
}

// A name may contain hyphens (`starts-with`, `year-from-dateTime`); `Module.Name` is qualified.
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*/y;
const QUALIFIER = /\.[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?/y;
const TWO_CHAR_OPS = new Set(['!=', '<=', '>=']);
const PUNCT = new Set(['[', ']', '(', ')', '/', ',']);
const MAX_LENGTH = 100_000;

function matchAt(re: RegExp, src: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(src);
  return m === null ? null : m[0];
}

function readString(src: string, start: number): LexToken {
  let value = '';
  const offsets: number[] = [];
  let i = start + 1;
  for (;;) {
    if (i >= src.length) throw syntaxError(src.length, null, ["'"], 'Unterminated string starting at ' + start + ': expected closing quote');
    const ch = src[i]!;
    if (ch === "'") {
      if (src[i + 1] === "'") {
        value += "'";
        offsets.push(i);
        i += 2;
        continue;
      }
      return { kind: 'string', text: src.slice(start, i + 1), value, offsets, start, end: i + 1 };
    }
    value += ch;
    offsets.push(i);
    i += 1;
  }
}

/**
 * Splits a constraint into tokens. Whitespace separates tokens and is dropped. Throws
 * `XPathSyntaxError` on an unterminated string or a character that starts no token.
 */
export function lex(src: string): LexToken[] {
  if (src.length > MAX_LENGTH) throw syntaxError(MAX_LENGTH, src.slice(MAX_LENGTH, MAX_LENGTH + 1), [], `Constraint longer than ${MAX_LENGTH} characters`);
  const tokens: LexToken[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i += 1;
      continue;
    }
    if (ch === "'") {
      const t = readString(src, i);
      tokens.push(t);
      i = t.end;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      tokens.push({ kind: 'op', text: two, value: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', text: ch, value: ch, start: i, end: i + 1 });
      i += 1;
      continue;
    }
    if (PUNCT.has(ch)) {
      tokens.push({ kind: 'punct', text: ch, value: ch, start: i, end: i + 1 });
      i += 1;
      continue;
    }
    const num = matchAt(NUMBER, src, i);
    if (num !== null) {
      tokens.push({ kind: 'number', text: num, value: num, start: i, end: i + num.length });
      i += num.length;
      continue;
    }
    if (ch === '$') {
      const name = matchAt(NAME, src, i + 1);
      if (name === null) throw syntaxError(i + 1, src[i + 1] ?? null, ['<variable name>']);
      tokens.push({ kind: 'variable', text: `$${name}`, value: name, start: i, end: i + 1 + name.length });
      i += 1 + name.length;
      continue;
    }
    const name = matchAt(NAME, src, i);
    if (name !== null) {
      const qual = name.includes('-') ? null : matchAt(QUALIFIER, src, i + name.length);
      const text = qual === null ? name : name + qual;
      tokens.push({ kind: qual === null ? 'name' : 'qname', text, value: text, start: i, end: i + text.length });
      i += text.length;
      continue;
    }
    throw syntaxError(i, String.fromCodePoint(src.codePointAt(i)!), ['<expression>'], `Unexpected character '${String.fromCodePoint(src.codePointAt(i)!)}'`);
  }
  tokens.push({ kind: 'eof', text: '', value: '', start: src.length, end: src.length });
  return tokens;
}
