import type { ObjectToken, PeriodUnit, TimeAnchor, TimeAnchorUnit, TimeOffset, TimeToken } from './ast.js';
import type { LexToken } from './lexer.js';
import { syntaxError } from './syntax-error.js';

const ANCHOR_UNITS: readonly TimeAnchorUnit[] = [
  'CurrentMinute',
  'CurrentHour',
  'CurrentDay',
  'Yesterday',
  'Tomorrow',
  'CurrentWeek',
  'CurrentMonth',
  'CurrentYear',
];
const PERIODS: readonly PeriodUnit[] = ['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month', 'Year'];
const ANCHOR = /^(BeginOf|EndOf)([A-Za-z]+?)(UTC)?$/;
const PERIOD = /^([A-Za-z]+)Length$/;
const ROLE = /^UserRole_([A-Za-z0-9_][A-Za-z0-9_ .-]*)$/;
const TOKEN_NAMES = ['[%CurrentUser%]', '[%CurrentObject%]', '[%UserRole_<name>%]', '[%CurrentDateTime%]', '[%BeginOf...%]', '[%EndOf...%]'];

type Classified =
  | { kind: 'object'; token: ObjectToken['token']; role?: string }
  | { kind: 'anchor'; anchor: TimeAnchor }
  | { kind: 'period'; period: PeriodUnit }
  | null;

function classify(name: string): Classified {
  if (name === 'CurrentUser' || name === 'CurrentObject') return { kind: 'object', token: name };
  if (name === 'CurrentDateTime') return { kind: 'anchor', anchor: { kind: 'now' } };
  const role = ROLE.exec(name);
  if (role !== null) return { kind: 'object', token: 'UserRole', role: role[1]! };
  const anchor = ANCHOR.exec(name);
  if (anchor !== null && (ANCHOR_UNITS as readonly string[]).includes(anchor[2]!)) {
    const kind = anchor[1] === 'BeginOf' ? 'begin' : 'end';
    return { kind: 'anchor', anchor: { kind, unit: anchor[2] as TimeAnchorUnit, utc: anchor[3] !== undefined } };
  }
  const period = PERIOD.exec(name);
  if (period !== null && (PERIODS as readonly string[]).includes(period[1]!)) return { kind: 'period', period: period[1] as PeriodUnit };
  return null;
}

/**
 * Parses the content of a quoted string that contains `[%`: one object token, or a time anchor
 * followed by `+`/`-` terms of the form `[n *] [%PeriodLength%]`. Returns null for strings without
 * tokens. Errors point into the string (source offsets).
 */
export function parseTokenString(tok: LexToken): ObjectToken | TimeToken | null {
  const s = tok.value;
  if (!s.includes('[%')) return null;
  const offsets = tok.offsets ?? [];
  const pos = (i: number): number => offsets[i] ?? tok.end - 1;
  let i = 0;
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i += 1;
  };
  const found = (): string | null => (i >= s.length ? null : s.slice(i, i + 12));
  const fail = (expected: string[]): never => {
    throw syntaxError(pos(i), found(), expected);
  };
  const readToken = (expected: string[]): { name: string; at: number; cls: Classified } => {
    skipWs();
    if (!s.startsWith('[%', i)) fail(expected);
    const close = s.indexOf('%]', i + 2);
    if (close < 0) {
      i = s.length;
      fail(['%]']);
    }
    const at = i;
    const name = s.slice(i + 2, close);
    const cls = classify(name);
    if (cls === null) throw syntaxError(pos(at), s.slice(at, close + 2), expected, `Unknown token '${name.slice(0, 24)}'`);
    i = close + 2;
    return { name, at, cls };
  };

  const first = readToken(TOKEN_NAMES);
  const start = tok.start;
  const span = { start, end: tok.end };
  if (first.cls?.kind === 'period') {
    throw syntaxError(pos(first.at), `[%${first.name}%]`, ['[%CurrentDateTime%]', '[%BeginOf...%]', '[%EndOf...%]'], 'A period token must follow a time token');
  }
  skipWs();
  if (first.cls?.kind === 'object') {
    if (i < s.length) fail(["'"]);
    return { kind: 'object-token', token: first.cls.token, ...(first.cls.role === undefined ? {} : { role: first.cls.role }), span };
  }
  const anchor = (first.cls as { anchor: TimeAnchor }).anchor;
  const terms: TimeOffset[] = [];
  while (i < s.length) {
    const op = s[i];
    if (op !== '+' && op !== '-') fail(['+', '-', "'"]);
    i += 1;
    skipWs();
    let count = '1';
    const num = /^[0-9]+/.exec(s.slice(i));
    if (num !== null) {
      count = num[0].replace(/^0+(?=\d)/, '');
      i += num[0].length;
      skipWs();
      if (s[i] !== '*') fail(['*']);
      i += 1;
    }
    const t = readToken(['<number>', '[%DayLength%]']);
    if (t.cls?.kind !== 'period') {
      throw syntaxError(pos(t.at), `[%${t.name}%]`, ['[%SecondLength%]', '[%DayLength%]', '[%YearLength%]'], 'Expected a period token (e.g. [%DayLength%])');
    }
    terms.push({ sign: op === '+' ? 1 : -1, count, period: t.cls.period });
    skipWs();
  }
  return { kind: 'time-token', anchor, offsets: terms, span };
}
