import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isVaultError, XPathSyntaxError, XPathTypeError } from '../../src/core/errors.js';
import { checkXPath } from '../../src/xpath/check-xpath.js';
import { compileXPathAst } from '../../src/xpath/compile-xpath.js';
import { parseXPath } from '../../src/xpath/parse-xpath.js';
import { printXPath } from '../../src/xpath/print-xpath.js';
import { app, data, resolve } from './sales-fixture.js';

/** Parses; returns 'ok' or 'syntax', failing the property on any other outcome. */
function parseOutcome(src: string): 'ok' | 'syntax' {
  try {
    parseXPath(src);
    return 'ok';
  } catch (e) {
    if (!(e instanceof XPathSyntaxError)) throw e;
    expect(Number.isInteger(e.position) && e.position >= 0 && e.position <= src.length).toBe(true);
    expect(Array.isArray(e.expected)).toBe(true);
    return 'syntax';
  }
}

const seeds = [
  "[Name='Jansen'][Sales.Customer_Address/Sales.Address/City = 'Rotterdam']",
  "[( Name = 'Jansen' or Name = 'Smit' ) and Sales.Customer_Address/Sales.Address/City = 'Rotterdam']",
  "[Sales.Customer_Address/Sales.Address[City = 'New Amsterdam']/Sales.Address_Country/Sales.Country/Name = 'Guyana']",
  '[not(Sales.Customer_Order/Sales.Order/TotalPrice > 30000)]',
  "[contains(Name, 'an')][length(FirstName) >= 5][IsGoldCustomer = true()][Name = NULL]",
  "[DateRegistered > '[%BeginOfCurrentDay%] - 3 * [%YearLength%]'][id = '[%CurrentUser%]']",
  "[weekday-from-dateTime(DateRegistered, 'America/New_York') = 6][CreditLimit <= -12.50]",
  '[($CurrentAddress = Sales.Customer_Address)][Sales.Customer_Order = $o]',
];
const fragments = ['[', ']', '(', ')', '/', "'", "''", '=', '!=', '<=', '>', ' and ', ' or ', 'not(', 'reversed()', '[%', '%]',
  '[%DayLength%]', ' * ', ' - ', '$x', '1.5', '-', 'Sales.Order', 'Name', 'empty', 'true()', ',', 'contains(', '\u0000', '😀'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...fragments) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({ maxLength: 3 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: string, ms: Mutation[]): string {
  let s = src;
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
    else if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
    else s = s.slice(0, at) + m.text + s.slice(at + m.text.length);
  }
  return s;
}

/** The tree without source positions. */
function shape(ast: ReturnType<typeof parseXPath>): string {
  return JSON.stringify(ast.constraint, (k, v) => (k === 'span' ? undefined : v));
}

// 100,000 inputs in all: 30,000 random strings, 30,000 fragment sequences, 40,000 mutations.
describe('the parser never throws anything but XPathSyntaxError and never hangs', () => {
  test('random unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => void parseOutcome(s)), { numRuns: 30_000 });
  });

  test('random sequences of XPath fragments', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 40 }), (parts) => void parseOutcome(parts.join(''))), {
      numRuns: 30_000,
    });
  });

  test('random mutations of valid constraints, also through the printer, the checker and the compiled predicate', () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => {
        const src = mutate(seed, ms);
        if (parseOutcome(src) === 'syntax') return;
        parsed += 1;
        const ast = parseXPath(src);
        // Whatever parses prints back to a constraint with the same tree.
        const again = parseXPath(printXPath(ast));
        expect(shape(again)).toBe(shape(ast));
        try {
          checkXPath(ast, { app, entity: 'Sales.Customer' });
          const p = compileXPathAst(ast, { app, entity: 'Sales.Customer' });
          for (const o of data['Sales.Customer']!) p(o, { resolve, variables: { CurrentAddress: { id: 'a1' }, o: 'o1', x: 1 } });
        } catch (e) {
          if (!(e instanceof XPathTypeError) && !isVaultError(e)) throw e;
        }
      }),
      { numRuns: 40_000 },
    );
    expect(parsed).toBeGreaterThan(1000);
  });

  test('very deep nesting and very long inputs fail cleanly', () => {
    for (const open of ['(', '[', 'not(', "[Sales.Customer_Order/Sales.Order["]) {
      expect(parseOutcome(`[${open.repeat(50_000)}`)).toBe('syntax');
    }
    expect(parseOutcome(`[Name = '${'x'.repeat(200_000)}']`)).toBe('syntax');
    expect(parseOutcome(`[${Array.from({ length: 3_000 }, (_, i) => `a = ${i}`).join(' or ')}]`)).toBe('ok');
  });
});
