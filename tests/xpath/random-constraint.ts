import fc from 'fast-check';
import type { AttributeDef } from '../../src/app/index.js';
import { shop } from './sql-shop-fixture.js';

/**
 * Random well-formed constraints over the shop app (sql-shop-fixture.ts): comparisons on every
 * attribute type with fitting literals (near the values the random data holds), attribute-to-
 * attribute comparisons, empty, functions, time tokens, variables, association ids, paths in every
 * direction with sub-constraints, existence tests, not(), and/or nesting and adjacent brackets.
 */

/** Variables the generated constraints may use; pass them in the evaluation context. */
export const RANDOM_VARIABLES: Record<string, unknown> = {
  n: 2,
  cust: { id: 'c1' },
  names: ['a', 'B', 'é'],
  nothing: null,
  dec: '0.5',
  when: new Date(Date.UTC(2024, 9, 27, 1)),
  needle: 'A',
  tags: ['t0', 't2'],
};

const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const STRINGS = ['a', 'aB', 'AB', 'b', 'B', 'é', 'É', 'ß', 'Øx', '日', '%', '_', 'a%b', "a'", '😀a', '', 'x'].map(q);
const NEEDLES = ['a', 'A', 'b', 'é', 'ß', 'ø', '%', '_', "'", '', '😀', 'ab'].map(q);
const INTEGERS = ['-3', '0', '1', '2', '3', '5', '6', '2.5', '-0.5', '9007199254740990', '99999999999999999999'];
const DECIMALS = ['0', '12.5', '-0.5', '10', '3', '0.00000001', '0.5', '-12345678901234567890.12345678', '99999999999999999999.99999999', '1.10', '-7'];
const DATES = ['2024-03-31T01:00:00Z', '2024-10-27', '2024-11-03T06:30:00.000Z', '2024-12-31T23:00:00Z', '2025-06-15T12:00:00+02:00', '2024-03-10'].map(q);
const TIME_TOKENS = [
  '[%CurrentDateTime%]',
  '[%BeginOfCurrentDay%]',
  '[%EndOfCurrentWeek%]',
  '[%BeginOfCurrentHourUTC%]',
  '[%BeginOfYesterday%]',
  '[%EndOfTomorrow%]',
  '[%BeginOfCurrentMonth%] - 1 * [%MonthLength%]',
  '[%CurrentDateTime%] - 1 * [%DayLength%] + 3 * [%HourLength%]',
  '[%BeginOfCurrentYear%] + 2 * [%WeekLength%]',
  '[%EndOfCurrentMinute%] - 90 * [%SecondLength%]',
].map(q);
const ZONES = ['', ", 'UTC'", ", 'Europe/Amsterdam'", ", 'America/New_York'", ", 'Asia/Kolkata'"];
const DATE_PARTS = ['year', 'month', 'day', 'hours', 'minutes', 'seconds', 'quarter', 'day-of-year', 'week', 'weekday'];
const IDS = ["'c0'", "'c1'", "'c6'", "'o1'", "'t1'", "'t4'", "'a2'", "'[%CurrentUser%]'", "'[%CurrentObject%]'"];
const ALL_OPS = ['=', '!=', '<', '<=', '>', '>='];
const EQ_OPS = ['=', '!='];

/** One association step from an entity: its text and the entity it reaches. */
interface Step {
  readonly text: string;
  readonly target: string;
}

function stepsFrom(entity: string): Step[] {
  const out: Step[] = [];
  for (const a of shop.associations.values()) {
    if (a.from === a.to) {
      if (a.from === entity) out.push({ text: `${a.name}/${a.to}`, target: a.to }, { text: `${a.name}[reversed()]/${a.to}`, target: a.to });
    } else if (a.from === entity) out.push({ text: `${a.name}/${a.to}`, target: a.to });
    else if (a.to === entity) out.push({ text: `${a.name}/${a.from}`, target: a.from });
  }
  return out;
}

/** Association members usable as `Assoc = id` from an entity (own references and reverse ones). */
function membersOf(entity: string): string[] {
  const out: string[] = [];
  for (const a of shop.associations.values()) {
    if (a.from === entity) out.push(a.name);
    if (a.to === entity) out.push(a.from === a.to ? `${a.name}[reversed()]` : a.name);
  }
  return out;
}

function attrs(entity: string): AttributeDef[] {
  return [...shop.entity(entity).attributes.values()];
}

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

function literalFor(a: AttributeDef): fc.Arbitrary<string> {
  switch (a.type) {
    case 'string':
      return fc.oneof(pick(STRINGS), pick(['$needle', '$nothing', '$names']));
    case 'integer':
    case 'long':
      return fc.oneof({ weight: 4, arbitrary: pick(INTEGERS) }, { weight: 1, arbitrary: pick(['$n', '$dec']) });
    case 'decimal':
      return fc.oneof({ weight: 4, arbitrary: pick(DECIMALS) }, { weight: 1, arbitrary: pick(['$dec', '$n']) });
    case 'boolean':
      return pick(['true()', 'false()', "'true'", "'false'"]);
    case 'datetime':
      return fc.oneof(pick(DATES), pick(TIME_TOKENS), pick(['$when']));
    case 'enum':
      return fc.oneof(pick(a.values!.map(q)), pick(['$nothing']));
  }
}

const DOMAIN: Record<string, string> = { string: 's', enum: 's', integer: 'n', long: 'n', decimal: 'n', boolean: 'b', datetime: 'd' };

/**
 * A comparison on an attribute of `entity` reached by `prefix` (a path text ending in `/`, or '')
 * from `context` (whose attributes a right-hand attribute names).
 */
function comparison(entity: string, prefix: string, context = entity): fc.Arbitrary<string> {
  const list = attrs(entity);
  const own = attrs(context);
  const strings = list.filter((a) => a.type === 'string');
  const dates = list.filter((a) => a.type === 'datetime');
  const options: fc.Arbitrary<string>[] = [
    pick(list).chain((a) =>
      fc.tuple(pick(a.type === 'boolean' ? EQ_OPS : ALL_OPS), literalFor(a), fc.boolean()).map(([op, lit, flip]) =>
        flip && !lit.startsWith("'[%") ? `${lit} ${op} ${prefix}${a.name}` : `${prefix}${a.name} ${op} ${lit}`,
      ),
    ),
    fc.tuple(pick(list), pick(EQ_OPS), pick(['empty', 'NULL'])).map(([a, op, e]) => `${prefix}${a.name} ${op} ${e}`),
    fc.tuple(pick(membersOf(entity)), pick(EQ_OPS), pick(IDS)).map(([m, op, id]) => `${prefix}${m} ${op} ${id}`),
    fc.tuple(pick(ALL_OPS), pick(['c0', 'c1', 'o2', 'a1'])).map(([op, id]) => (op === '=' || op === '!=' ? `${prefix}id ${op} '${id}'` : `${prefix}id = '${id}'`)),
  ];
  // attribute to attribute of the same domain (numeric ones across integer/long/decimal)
  const pairs = list.flatMap((a) => own.filter((b) => DOMAIN[a.type] === DOMAIN[b.type]).map((b) => [a, b] as const));
  if (pairs.length > 0) {
    options.push(
      fc.tuple(pick(pairs), pick(ALL_OPS)).map(([[a, b], op]) => `${prefix}${a.name} ${a.type === 'boolean' && !EQ_OPS.includes(op) ? '=' : op} ${b.name}`),
    );
  }
  if (strings.length > 0) {
    options.push(
      fc.tuple(pick(['contains', 'starts-with', 'ends-with']), pick(strings), fc.oneof(pick(NEEDLES), pick(['$needle']))).map(([fn, a, n]) => `${fn}(${prefix}${a.name}, ${n})`),
      fc.tuple(pick(['length', 'string-length']), pick(strings), pick(ALL_OPS), pick(['0', '1', '2', '3'])).map(([fn, a, op, n]) => `${fn}(${prefix}${a.name}) ${op} ${n}`),
    );
  }
  if (dates.length > 0) {
    options.push(
      fc.tuple(pick(DATE_PARTS), pick(dates), pick(ZONES), pick(ALL_OPS), fc.integer({ min: 0, max: 60 })).map(
        ([part, a, zone, op, n]) => `${part}-from-dateTime(${prefix}${a.name}${zone}) ${op} ${part === 'year' ? 2024 + (n % 3) : n % 32}`,
      ),
    );
  }
  return fc.oneof(...options);
}

const cache = new Map<string, fc.Arbitrary<string>>();

/** A random boolean expression (without brackets) on `entity`, nesting at most `depth` levels. */
export function expressionOn(entity: string, depth: number): fc.Arbitrary<string> {
  const key = `${entity}@${depth}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const leaf = comparison(entity, '');
  let arb: fc.Arbitrary<string>;
  if (depth <= 0) arb = leaf;
  else {
    const sub = expressionOn(entity, depth - 1);
    const steps = stepsFrom(entity);
    const stepArb = (): fc.Arbitrary<{ text: string; target: string }> =>
      pick(steps).chain((s) =>
        fc.option(expressionOn(s.target, depth - 1), { freq: 3 }).map((filter) => ({ text: filter === null ? s.text : `${s.text}[${filter}]`, target: s.target })),
      );
    const path = fc.oneof(
      stepArb(),
      stepArb().chain((s1) => pick(stepsFrom(s1.target)).map((s2) => ({ text: `${s1.text}/${s2.text}`, target: s2.target }))),
    );
    arb = fc.oneof(
      { weight: 4, arbitrary: leaf },
      { weight: 2, arbitrary: path.chain((p) => comparison(p.target, `${p.text}/`, entity)) },
      { weight: 1, arbitrary: path.map((p) => p.text) },
      { weight: 1, arbitrary: sub.map((e) => `not(${e})`) },
      { weight: 2, arbitrary: fc.tuple(sub, sub, pick([' and ', ' or '])).map(([a, b, op]) => `(${a}${op}${b})`) },
      { weight: 1, arbitrary: fc.tuple(sub, sub, sub).map(([a, b, c]) => `${a} or ${b} and ${c}`) },
    );
  }
  cache.set(key, arb);
  return arb;
}

/** A whole random constraint on `entity`: one to three bracket groups, adjacent or joined by and/or. */
export function constraintOn(entity: string, depth = 3): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(expressionOn(entity, depth), pick(['', '', ' and ', ' or '])), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.map(([p, join], i) => `${i === 0 ? '' : join}[${p}]`).join(''));
}
