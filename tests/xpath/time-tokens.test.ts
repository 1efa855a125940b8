import { describe, expect, test } from 'vitest';
import type { TimeToken } from '../../src/xpath/ast.js';
import { compileXPath } from '../../src/xpath/compile-xpath.js';
import { parseXPath } from '../../src/xpath/parse-xpath.js';
import { datePartValue, timeTokenValue } from '../../src/xpath/time-token-value.js';
import type { XPathContext } from '../../src/xpath/xpath-context.js';
import { app } from './sales-fixture.js';

function token(text: string): TimeToken {
  const ast = parseXPath(`[d = '${text}']`);
  if (ast.constraint.kind !== 'compare' || ast.constraint.right.kind !== 'time-token') throw new Error('not a time token');
  return ast.constraint.right;
}
function at(text: string, ctx: XPathContext): string {
  return new Date(timeTokenValue(token(text), ctx)).toISOString();
}

// Wednesday 15 May 2024, 10:30:45.123 UTC (12:30 in Amsterdam, 06:30 in New York, 16:00 in Kolkata).
const now = new Date('2024-05-15T10:30:45.123Z');

const tokens: [string, string | undefined, string][] = [
  ['[%CurrentDateTime%]', undefined, '2024-05-15T10:30:45.123Z'],
  ['[%BeginOfCurrentMinute%]', undefined, '2024-05-15T10:30:00.000Z'],
  ['[%EndOfCurrentMinute%]', undefined, '2024-05-15T10:31:00.000Z'],
  ['[%BeginOfCurrentHour%]', undefined, '2024-05-15T10:00:00.000Z'],
  ['[%EndOfCurrentHour%]', undefined, '2024-05-15T11:00:00.000Z'],
  ['[%BeginOfCurrentDay%]', undefined, '2024-05-15T00:00:00.000Z'],
  ['[%EndOfCurrentDay%]', undefined, '2024-05-16T00:00:00.000Z'],
  ['[%BeginOfYesterday%]', undefined, '2024-05-14T00:00:00.000Z'],
  ['[%EndOfYesterday%]', undefined, '2024-05-15T00:00:00.000Z'],
  ['[%BeginOfTomorrow%]', undefined, '2024-05-16T00:00:00.000Z'],
  ['[%EndOfTomorrow%]', undefined, '2024-05-17T00:00:00.000Z'],
  ['[%BeginOfCurrentWeek%]', undefined, '2024-05-12T00:00:00.000Z'],
  ['[%EndOfCurrentWeek%]', undefined, '2024-05-19T00:00:00.000Z'],
  ['[%BeginOfCurrentMonth%]', undefined, '2024-05-01T00:00:00.000Z'],
  ['[%EndOfCurrentMonth%]', undefined, '2024-06-01T00:00:00.000Z'],
  ['[%BeginOfCurrentYear%]', undefined, '2024-01-01T00:00:00.000Z'],
  ['[%EndOfCurrentYear%]', undefined, '2025-01-01T00:00:00.000Z'],
  ['[%BeginOfCurrentDay%]', 'Europe/Amsterdam', '2024-05-14T22:00:00.000Z'],
  ['[%BeginOfCurrentDayUTC%]', 'Europe/Amsterdam', '2024-05-15T00:00:00.000Z'],
  ['[%EndOfCurrentDayUTC%]', 'America/New_York', '2024-05-16T00:00:00.000Z'],
  ['[%BeginOfCurrentDay%]', 'America/New_York', '2024-05-15T04:00:00.000Z'],
  ['[%BeginOfCurrentWeek%]', 'Europe/Amsterdam', '2024-05-11T22:00:00.000Z'],
  ['[%BeginOfCurrentYear%]', 'Europe/Amsterdam', '2023-12-31T23:00:00.000Z'],
  ['[%EndOfCurrentMonth%]', 'Europe/Amsterdam', '2024-05-31T22:00:00.000Z'],
  ['[%BeginOfCurrentHour%]', 'Asia/Kolkata', '2024-05-15T10:30:00.000Z'],
  ['[%BeginOfCurrentDay%] - 3 * [%YearLength%]', undefined, '2021-05-15T00:00:00.000Z'],
  ['[%CurrentDateTime%] - 2 * [%WeekLength%] + [%DayLength%] - 30 * [%SecondLength%]', undefined, '2024-05-02T10:30:15.123Z'],
  ['[%CurrentDateTime%] + 90 * [%MinuteLength%] + 2 * [%HourLength%]', undefined, '2024-05-15T14:00:45.123Z'],
  ['[%BeginOfCurrentYear%] + 1 * [%YearLength%]', 'Europe/Amsterdam', '2024-12-31T23:00:00.000Z'],
  ['[%BeginOfCurrentMonth%] - [%MonthLength%]', 'Europe/Amsterdam', '2024-03-31T22:00:00.000Z'],
];

describe('time tokens with an injected clock', () => {
  test.each(tokens)('%s in %s is %s', (text, timeZone, expected) => {
    expect(at(text, { now, ...(timeZone === undefined ? {} : { timeZone }) })).toBe(expected);
  });

  test('month arithmetic is calendar arithmetic, clamped to the end of the month', () => {
    expect(at('[%CurrentDateTime%] + 1 * [%MonthLength%]', { now: new Date('2024-01-31T10:00:00Z') })).toBe('2024-02-29T10:00:00.000Z');
    expect(at('[%CurrentDateTime%] - 12 * [%MonthLength%]', { now: new Date('2024-02-29T10:00:00Z') })).toBe('2023-02-28T10:00:00.000Z');
  });

  test('a day spanning a DST change is 23 hours long in its zone', () => {
    const ctx = { now: new Date('2024-03-31T12:00:00Z'), timeZone: 'Europe/Amsterdam' };
    expect(at('[%BeginOfCurrentDay%]', ctx)).toBe('2024-03-30T23:00:00.000Z');
    expect(at('[%EndOfCurrentDay%]', ctx)).toBe('2024-03-31T22:00:00.000Z');
  });

  test('a clock function is read at evaluation time', () => {
    let clock = new Date('2024-05-15T10:00:00Z');
    const p = compileXPath("[DateRegistered > '[%BeginOfCurrentDay%]']", { app, entity: 'Sales.Customer' });
    const obj = { id: 'c', DateRegistered: '2024-05-15T09:00:00.000Z' };
    expect(p(obj, { now: () => clock })).toBe(true);
    clock = new Date('2024-05-16T10:00:00Z');
    expect(p(obj, { now: () => clock })).toBe(false);
  });
});

describe('mendix.md #24-#26 evaluated against registrations', () => {
  const regs: [string, string][] = [
    ['sat-before', '2024-05-11T23:59:59.999Z'],
    ['sun-start', '2024-05-12T00:00:00.000Z'],
    ['today', '2024-05-15T08:00:00.000Z'],
    ['sat-last', '2024-05-18T23:59:59.999Z'],
    ['next-sun', '2024-05-19T00:00:00.000Z'],
    ['four-years', '2020-06-01T00:00:00.000Z'],
    ['two-years', '2022-06-01T00:00:00.000Z'],
  ];
  const run = (xpath: string) => {
    const p = compileXPath(xpath, { app, entity: 'Sales.Customer' });
    return regs.filter(([id, d]) => p({ id, DateRegistered: d }, { now })).map(([id]) => id);
  };
  test('#24 since the start of the week (Sunday)', () => {
    expect(run("[DateRegistered >= '[%BeginOfCurrentWeek%]']")).toEqual(['sun-start', 'today', 'sat-last', 'next-sun']);
  });
  test('#25 this week, the end token being the start of the next week', () => {
    expect(run("[DateRegistered >= '[%BeginOfCurrentWeek%]' and DateRegistered < '[%EndOfCurrentWeek%]']")).toEqual(['sun-start', 'today', 'sat-last']);
  });
  test('#26 in the past three years', () => {
    expect(run("[DateRegistered > '[%BeginOfCurrentDay%] - 3 * [%YearLength%]']")).toEqual(['sat-before', 'sun-start', 'today', 'sat-last', 'next-sun', 'two-years']);
  });
  test('a datetime compares with an ISO literal', () => {
    expect(run("[DateRegistered < '2022-01-01']")).toEqual(['four-years']);
  });
});

describe('date-part functions', () => {
  const ms = Date.parse('2024-12-31T23:30:00Z');
  const parts: [string, string, number][] = [
    ['year', 'UTC', 2024],
    ['month', 'UTC', 12],
    ['day', 'UTC', 31],
    ['hours', 'UTC', 23],
    ['minutes', 'UTC', 30],
    ['quarter', 'UTC', 4],
    ['day-of-year', 'UTC', 366],
    ['week', 'UTC', 1],
    ['weekday', 'UTC', 3],
    ['year', 'Europe/Amsterdam', 2025],
    ['day-of-year', 'Europe/Amsterdam', 1],
    ['weekday', 'Europe/Amsterdam', 4],
    ['quarter', 'Europe/Amsterdam', 1],
    ['hours', 'America/New_York', 18],
    ['hours', 'Asia/Kolkata', 5],
  ];
  test.each(parts)('%s of 2024-12-31T23:30Z in %s is %i', (part, zone, expected) => {
    expect(datePartValue(ms, part as never, zone)).toBe(expected);
  });
  test('ISO weeks: 3 Jan 2021 is in week 53, 1 Jan 2024 in week 1; Sunday is weekday 1', () => {
    expect(datePartValue(Date.parse('2021-01-03T12:00:00Z'), 'week', 'UTC')).toBe(53);
    expect(datePartValue(Date.parse('2024-01-01T12:00:00Z'), 'week', 'UTC')).toBe(1);
    expect(datePartValue(Date.parse('2024-05-12T12:00:00Z'), 'weekday', 'UTC')).toBe(1);
  });
  test('without a zone argument the context zone is used (default UTC)', () => {
    const p = compileXPath('[year-from-dateTime(DateRegistered) = 2025]', { app, entity: 'Sales.Customer' });
    const o = { id: 'c', DateRegistered: '2024-12-31T23:30:00.000Z' };
    expect([p(o), p(o, { timeZone: 'Europe/Amsterdam' }), p(o, { timeZone: 'America/New_York' })]).toEqual([false, true, false]);
    const utc = compileXPath("[year-from-dateTime(DateRegistered, 'UTC') = 2024]", { app, entity: 'Sales.Customer' });
    expect(utc(o, { timeZone: 'Europe/Amsterdam' })).toBe(true);
  });
});
