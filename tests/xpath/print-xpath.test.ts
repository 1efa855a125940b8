import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { XPathAst } from '../../src/xpath/ast.js';
import { parseXPath } from '../../src/xpath/parse-xpath.js';
import { printXPath } from '../../src/xpath/print-xpath.js';
import { constraintOn } from './random-constraint.js';
import { SALES_CASES } from './sales-cases.js';
import { ENTITIES } from './sql-shop-fixture.js';

/** The tree without source positions (printing changes them, nothing else). */
function shape(ast: XPathAst): unknown {
  return JSON.parse(JSON.stringify(ast.constraint, (k, v) => (k === 'span' ? undefined : v)));
}

/** parse -> print -> parse gives the same tree, and printing that tree gives the same text. */
function roundTrips(src: string): void {
  const first = parseXPath(src);
  const printed = printXPath(first);
  const second = parseXPath(printed);
  expect({ src, printed, tree: shape(second) }).toEqual({ src, printed, tree: shape(first) });
  expect(printXPath(second)).toBe(printed);
}

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

// Syntax only (no app): names that look like keywords and functions, odd strings and spacing.
const name = pick(['Name', 'a', 'x_1', 'not', 'true', 'false', 'contains', 'reversed', 'length', 'starts-with', 'Some-Thing', 'year']);
const qname = pick(['M.A', 'Sales.Customer_Address', 'M.not', 'A.B', 'System.owner']);
const ws = pick([' ', ' ', '', '  ', '\n', '\t']);
const text = fc.string({ unit: fc.constantFrom('a', 'B', "'", ' ', '[', ']', '%', '(', ')', 'é', '😀', '/', '$', '\n'), maxLength: 6 }).filter((s) => !s.includes('[%'));
const number = fc.tuple(fc.boolean(), fc.nat({ max: 10_000 }), fc.option(fc.stringMatching(/^[0-9]{1,4}$/), { nil: undefined })).map(([neg, n, f]) => `${neg ? '-' : ''}${n}${f === undefined ? '' : `.${f}`}`);
const token = pick([
  '[%CurrentUser%]',
  '[%CurrentObject%]',
  '[%UserRole_Administrator%]',
  '[%UserRole_a b.c-d%]',
  '[%CurrentDateTime%]',
  '[%BeginOfCurrentDayUTC%]',
  '[%EndOfCurrentWeek%] + [%DayLength%]',
  '[%BeginOfCurrentDay%] - 3 * [%YearLength%]',
  '[%BeginOfYesterday%]-007*[%HourLength%]+1*[%MonthLength%]',
  ' [%CurrentDateTime%] ',
]).map(q);

const { expr } = fc.letrec<{ expr: string; path: string; step: string; attr: string; operand: string }>((tie) => ({
  step: fc.tuple(qname, fc.boolean(), qname, fc.array(tie('expr'), { maxLength: 2 })).map(
    ([a, rev, e, filters]) => `${a}${rev ? '[reversed()]' : ''}/${e}${filters.map((f) => `[${f}]`).join('')}`,
  ),
  path: fc.array(tie('step'), { minLength: 1, maxLength: 2 }).map((steps) => steps.join('/')),
  attr: fc.oneof({ depthSize: 'small', maxDepth: 3 }, name, fc.tuple(tie('path'), name).map(([p, n]) => `${p}/${n}`)),
  operand: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    tie('attr'),
    fc.oneof(pick(['id']), tie('path').map((p) => `${p}/id`)),
    fc.tuple(fc.option(tie('path').map((p) => `${p}/`), { nil: '' }), qname, fc.boolean()).map(([p, a, rev]) => `${p}${a}${rev ? '[reversed()]' : ''}`),
    name.map((n) => `$${n}`),
    fc.tuple(pick(['length', 'string-length']), tie('attr')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(pick(['year', 'weekday', 'day-of-year']), tie('attr'), fc.option(text.map(q), { nil: undefined })).map(
      ([p, a, z]) => `${p}-from-dateTime(${a}${z === undefined ? '' : `, ${z}`})`,
    ),
    text.map(q),
    number,
    pick(['true()', 'false()', 'empty', 'NULL', 'true ( )']),
    token,
  ),
  expr: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.tuple(tie('operand'), pick(['=', '!=', '<', '<=', '>', '>=']), tie('operand'), ws).map(([l, op, r, s]) => `${l}${s}${op}${s}${r}`),
    tie('path'),
    fc.tuple(pick(['contains', 'starts-with', 'ends-with']), tie('attr'), tie('operand')).map(([f, a, n]) => `${f}(${a}, ${n})`),
    tie('expr').map((e) => `not(${e})`),
    tie('expr').map((e) => `(${e})`),
    fc.tuple(tie('expr'), pick([' and ', ' or ']), tie('expr')).map(([a, op, b]) => `${a}${op}${b}`),
  ),
}));
const source = fc.oneof(
  fc.array(fc.tuple(expr, pick(['', ' ', ' and ', ' or '])), { minLength: 1, maxLength: 3 }).map((parts) => parts.map(([e, j], i) => `${i === 0 ? '' : j}[${e}]`).join('')),
  expr,
);

describe('printXPath', () => {
  const printed: [string, string][] = [
    ["[Name='Jansen'][City = 'Rotterdam']", "[Name = 'Jansen' and City = 'Rotterdam']"],
    ["[(Name = 'a' or Name = 'b') and City = 'c']", "[(Name = 'a' or Name = 'b') and City = 'c']"],
    ["[Name = 'a' or (Name = 'b' and City = 'c')]", "[Name = 'a' or Name = 'b' and City = 'c']"],
    ["[OrderStatus = 'Open'] or [TotalPrice >= 50.00]", "[OrderStatus = 'Open' or TotalPrice >= 50.00]"],
    ["[Name = 'O''Brien']", "[Name = 'O''Brien']"],
    ['[Name = NULL][not(((x > -3)))]', '[Name = empty and not(x > -3)]'],
    ["[A.B/A.C[x = 1][y = 2]/A.D[reversed ()]/A.C/id = '[%CurrentUser%]']", "[A.B/A.C[x = 1 and y = 2]/A.D[reversed()]/A.C/id = '[%CurrentUser%]']"],
    ["[d > '[%BeginOfCurrentDay%]-3*[%YearLength%]+[%DayLength%]']", "[d > '[%BeginOfCurrentDay%] - 3 * [%YearLength%] + 1 * [%DayLength%]']"],
    ["[weekday-from-dateTime(d, 'America/New_York') = 6][string-length(n) >= $min]", "[weekday-from-dateTime(d, 'America/New_York') = 6 and string-length(n) >= $min]"],
    ["[contains(M.A/M.B/Name, 'an')][M.A/M.B[not(M.C/M.D)]]", "[contains(M.A/M.B/Name, 'an') and M.A/M.B[not(M.C/M.D)]]"],
    ['price = 9.80 or price = 9.70', '[price = 9.80 or price = 9.70]'],
  ];
  test.each(printed)('prints %s as %s', (src, expected) => {
    expect(printXPath(parseXPath(src))).toBe(expected);
  });

  test.each(SALES_CASES)('round-trips conformance case $name: $xpath', ({ xpath, evaluate }) => {
    roundTrips(xpath);
    if (evaluate !== undefined) roundTrips(evaluate);
  });

  test('round-trips random syntactically valid constraints (names that look like keywords, odd strings)', () => {
    fc.assert(fc.property(source, (src) => roundTrips(src)), { numRuns: 5000 });
  });

  test('round-trips random well-formed constraints over the shop app', () => {
    const onAnyEntity = fc.constantFrom(...ENTITIES).chain((e) => constraintOn(e));
    fc.assert(fc.property(onAnyEntity, (src) => roundTrips(src)), { numRuns: 2000 });
  });
});
