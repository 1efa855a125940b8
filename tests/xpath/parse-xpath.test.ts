import { describe, expect, test } from 'vitest';
import { XPathSyntaxError } from '../../src/core/errors.js';
import { MAX_XPATH_DEPTH, parseXPath } from '../../src/xpath/parse-xpath.js';
import { show } from './show-ast.js';

const valid: [string, string][] = [
  ["[Name='Jansen']", '(= Name "Jansen")'],
  ["[Name = 'it''s']", `(= Name "it's")`],
  ["[Name = '']", '(= Name "")'],
  ['[a = 1][b != 2][c < 3]', '(and (= a #1) (!= b #2) (< c #3))'],
  ['[a <= -1.50 and b >= 0.000]', '(and (<= a #-1.50) (>= b #0.000))'],
  ['[a > 12345678901234567890.12345678]', '(> a #12345678901234567890.12345678)'],
  ['[a = 1 or b = 2 and c = 3]', '(or (= a #1) (and (= b #2) (= c #3)))'],
  ['[(a = 1 or b = 2) and c = 3]', '(and (or (= a #1) (= b #2)) (= c #3))'],
  ['[not(a = 1)]', '(not (= a #1))'],
  ['[not(not(M.A/M.B))]', '(not (not (exists M.A/M.B)))'],
  ['[M.A/M.B]', '(exists M.A/M.B)'],
  ['[M.A/M.B[x = 1][y = 2]/M.C/M.D]', '(exists M.A/M.B[(and (= x #1) (= y #2))]/M.C/M.D)'],
  ["[M.A/M.B[x = 1]/M.C/M.D/Name = 'n']", '(= M.A/M.B[(= x #1)]/M.C/M.D/Name "n")'],
  ['[M.A = $v]', '(= M.A $v)'],
  ['[$v = M.A]', '(= $v M.A)'],
  ['[M.Self[reversed()] = $v]', '(= M.Self[reversed()] $v)'],
  ['[M.Self [ reversed ( ) ] /M.E/id = $v]', '(= M.Self[reversed()]/M.E/id $v)'],
  ["[M.A/M.B/M.C = 'x']", '(= M.A/M.B/M.C "x")'],
  ["[id = '[%CurrentObject%]']", '(= id %CurrentObject)'],
  ['[a = empty][b != NULL]', '(and (= a empty) (!= b empty))'],
  ['[a = true()][b = false ( )]', '(and (= a true) (= b false))'],
  ["[contains(Name, 'an')]", '(contains Name "an")'],
  ["[starts-with(M.A/M.B/Name, $x)]", '(starts-with M.A/M.B/Name $x)'],
  ["[ends-with(Name, '')]", '(ends-with Name "")'],
  ['[length(a) >= 5][string-length(b) = 0]', '(and (>= (length a) #5) (= (string-length b) #0))'],
  ["[year-from-dateTime(d) = 2024][weekday-from-dateTime(d, 'America/New_York') = 6]", '(and (= (year d) #2024) (= (weekday d @America/New_York) #6))'],
  ['[day-of-year-from-dateTime(d) > 100]', '(> (day-of-year d) #100)'],
  ["[d > '[%CurrentDateTime%]']", '(> d %(now))'],
  ["[d < '[%EndOfCurrentWeekUTC%]']", '(< d %(end:CurrentWeek:utc))'],
  ["[d > '[%BeginOfCurrentDay%] - 3 * [%YearLength%]']", '(> d %(begin:CurrentDay -3Year))'],
  ["[d > '  [%BeginOfYesterday%]+[%HourLength%] - 10*[%MinuteLength%] ']", '(> d %(begin:Yesterday +1Hour -10Minute))'],
  ["[System.UserRoles = '[%UserRole_Administrator%]']", '(= System.UserRoles %UserRole:Administrator)'],
  ["[System.owner = '[%CurrentUser%]']", '(= System.owner %CurrentUser)'],
  ["[a = 1] or [b = 2][c = 3]", '(or (= a #1) (and (= b #2) (= c #3)))'],
  ["[a = 1] and [b = 2]", '(and (= a #1) (= b #2))'],
  ['a = 1 or b = 2', '(or (= a #1) (= b #2))'],
  ['  [ a\n=\t1 ]  ', '(= a #1)'],
];

describe('parseXPath accepts the DESIGN.md §3 grammar', () => {
  test.each(valid)('%s', (src, expected) => {
    expect(show(parseXPath(src))).toBe(expected);
  });

  test('number literals keep their exact text and spans point into the source', () => {
    const ast = parseXPath('[Price >= 0.10]');
    expect(ast.constraint).toMatchObject({
      kind: 'compare',
      span: { start: 1, end: 14 },
      right: { kind: 'number', value: '0.10', span: { start: 10, end: 14 } },
    });
  });
});

const invalid: [string, number, string[]][] = [
  ['', 0, ['not(', '(']],
  ['[', 1, ['not(', '(', '<attribute>']],
  ["[Name = 'x'", 11, [']', 'and', 'or']],
  ["[Name = 'x' or]", 14, ['not(', '(']],
  ["[Name = 'x' 'y']", 12, [']', 'and', 'or']],
  ['[Name]', 5, ['=', '!=', '<', '<=', '>', '>=']],
  ['[Name == 1]', 7, ['not(', '(']],
  ['[M.A/M.B = 1]', 9, ['/', ']']],
  ['[M.A/Name = 1]', 5, ['<Module.Entity>']],
  ['[M.A/M.B/]', 9, ['<attribute>', 'id']],
  ['[M.A[reversed()/M.B]', 15, [']']],
  ['[not Name = 1]', 5, ['=', '!=']],
  ['[(a = 1]', 7, [')', 'and', 'or']],
  ['[a = 1]]', 7, ['[', 'and', 'or', '<end of input>']],
  ['[a = 1] b = 2', 8, ['[', 'and', 'or', '<end of input>']],
  ['[foo(a) = 1]', 1, ['<function>']],
  ['[length(1) = 1]', 8, ['<attribute>']],
  ['[year-from-dateTime(d, 5) = 1]', 23, ['<time zone string>']],
  ["[contains(Name 'x')]", 15, [',']],
  ['[a = $]', 6, ['<variable name>']],
  ['[a = #]', 5, ['<expression>']],
  ["[Name = 'abc", 12, ["'"]],
  ["[d > '[%Foo%]']", 6, ['[%CurrentUser%]']],
  ["[d > '[%CurrentDay%]']", 6, ['[%CurrentUser%]']],
  ["[d > '[%CurrentUser%] + [%DayLength%]']", 22, ["'"]],
  ["[d > '[%CurrentDateTime%] * 2']", 26, ['+', '-', "'"]],
  ["[d > '[%CurrentDateTime%] - 3 [%DayLength%]']", 30, ['*']],
  ["[d > '[%CurrentDateTime%] - 3 * [%BeginOfCurrentDay%]']", 32, ['[%SecondLength%]']],
  ["[d > '[%DayLength%]']", 6, ['[%CurrentDateTime%]']],
  ["[d > '[%CurrentDateTime']", 23, ['%]']],
  ["[d > 'x [%CurrentUser%]']", 6, ['[%CurrentUser%]']],
];

describe('parseXPath rejects bad input with a position and what it expected', () => {
  test.each(invalid)('%j fails at %i', (src, position, expected) => {
    let error: unknown;
    try {
      parseXPath(src);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XPathSyntaxError);
    const e = error as XPathSyntaxError;
    expect(e.code).toBe('xpath-syntax');
    expect(e.position).toBe(position);
    expect(e.expected).toEqual(expect.arrayContaining(expected));
    expect(typeof e.found).toBe('string');
  });

  test('the message names what was expected, where, and what was found', () => {
    expect(() => parseXPath("[Name = 'Jansen' or]")).toThrow("Expected 'not(' or '(' or <attribute>");
    expect(() => parseXPath("[Name = 'x' Name]")).toThrow("Expected ']' or 'and' or 'or' at 12 but found 'Name'");
    expect(() => parseXPath("[Name = 'x'")).toThrow('at 11 but found end of input');
  });

  test('nesting deeper than the limit is a syntax error, not a stack overflow', () => {
    const deep = `[${'('.repeat(MAX_XPATH_DEPTH + 5)}a = 1${')'.repeat(MAX_XPATH_DEPTH + 5)}]`;
    expect(() => parseXPath(deep)).toThrow(XPathSyntaxError);
    expect(() => parseXPath(`[${'not('.repeat(10_000)}`)).toThrow(/nested deeper than/);
    const longPath = `[${Array.from({ length: 5_000 }, () => 'M.A/M.B').join('/')}]`;
    expect(() => parseXPath(longPath)).toThrow(/nested deeper than/);
    const ok = `[${'('.repeat(MAX_XPATH_DEPTH - 2)}a = 1${')'.repeat(MAX_XPATH_DEPTH - 2)}]`;
    expect(show(parseXPath(ok))).toBe('(= a #1)');
  });

  test('a non-string input is a syntax error', () => {
    expect(() => parseXPath(42 as unknown as string)).toThrow(XPathSyntaxError);
  });
});
