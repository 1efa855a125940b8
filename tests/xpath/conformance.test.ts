import { describe, expect, test } from 'vitest';
import { parseXPath } from '../../src/xpath/parse-xpath.js';
import type { XPathContext } from '../../src/xpath/xpath-context.js';
import { matching } from './sales-fixture.js';

interface Example {
  n: number;
  entity: string;
  xpath: string;
  /** Hand-written ids matching on sales-fixture data (from the documented meaning); absent = parse only. */
  expected?: string[];
  /** When the documented text uses names the fixture does not have, the evaluated equivalent. */
  evaluate?: string;
  ctx?: XPathContext;
}

const C = 'Sales.Customer';
const O = 'Sales.Order';
const docs = { variables: { ChosenFolder: { id: 'docs' } } };

// mendix.md §3.6, in order. Time-token examples (#24-#26) are evaluated in time-tokens.test.ts.
const examples: Example[] = [
  { n: 1, entity: C, xpath: "[Name='Jansen']", expected: ['c1', 'c9'] },
  { n: 2, entity: C, xpath: "[Name='Jansen'][Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1'] },
  { n: 3, entity: C, xpath: "[Name = 'Jansen' and Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1'] },
  { n: 4, entity: C, xpath: "[Name = 'Jansen' or Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1', 'c9', 'c10'] },
  { n: 5, entity: C, xpath: "[( Name = 'Jansen' or Name = 'Smit' ) and Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1'] },
  { n: 6, entity: C, xpath: "[Sales.Customer_Address/Sales.Address[City = 'Rotterdam' or City = 'Losdun']]", expected: ['c1', 'c2', 'c10'] },
  {
    n: 7,
    entity: C,
    xpath: "[Sales.Customer_Address/Sales.Address[City = 'New Amsterdam']/Sales.Address_Country/Sales.Country/Name = 'Guyana']",
    expected: ['c3'],
  },
  {
    n: 8,
    entity: C,
    xpath:
      "[(Name = 'Thomson' and Sales.Customer_Address/Sales.Address/City = 'New York') or (Name = 'Thompson' and Sales.Customer_Address/Sales.Address/City = 'London')]",
    expected: ['c6', 'c7'],
  },
  { n: 9, entity: O, xpath: '[TotalPrice < 50.00]', expected: ['o3'] },
  { n: 10, entity: C, xpath: '[Sales.Customer_Order/Sales.Order/HasPayed = false()]', expected: ['c1', 'c3'] },
  { n: 11, entity: C, xpath: '[Name = City]', expected: ['c3'] },
  { n: 12, entity: C, xpath: "[Sales.Customer_Order = 'ID_124123512341']", evaluate: "[Sales.Customer_Order = 'o4']", expected: ['c3'] },
  { n: 13, entity: C, xpath: '[Sales.Customer_Order/Sales.Order]', expected: ['c1', 'c2', 'c3', 'c6'] },
  { n: 14, entity: C, xpath: '[not(Sales.Customer_Order/Sales.Order)]', expected: ['c4', 'c5', 'c7', 'c8', 'c9', 'c10'] },
  { n: 15, entity: C, xpath: "[not(Name = 'Jansen')]", expected: ['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c10'] },
  { n: 16, entity: C, xpath: '[not(Sales.Customer_Order/Sales.Order/TotalPrice > 30000)]', expected: ['c2', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10'] },
  { n: 17, entity: C, xpath: '[Sales.Customer_Order/Sales.Order/TotalPrice <= 30000]', expected: ['c1', 'c2', 'c6'] },
  { n: 18, entity: C, xpath: "[contains(Name, 'an')]", expected: ['c1', 'c3', 'c9', 'c10'] },
  { n: 19, entity: C, xpath: "[starts-with(Name, 'Jans')]", expected: ['c1', 'c9', 'c10'] },
  { n: 20, entity: C, xpath: "[ends-with(Name, 'sen')]", expected: ['c1', 'c4', 'c9', 'c10'] },
  { n: 21, entity: C, xpath: '[length(FirstName) >= 5]', expected: ['c5'] },
  { n: 22, entity: C, xpath: '[IsGoldCustomer = true()]', expected: ['c1', 'c9'] },
  { n: 23, entity: C, xpath: '[Name = NULL]', expected: ['c5'] },
  { n: 24, entity: C, xpath: "[DateRegistered >= '[%BeginOfCurrentWeek%]']" },
  { n: 25, entity: C, xpath: "[DateRegistered >= '[%BeginOfCurrentWeek%]' and DateRegistered < '[%EndOfCurrentWeek%]']" },
  { n: 26, entity: C, xpath: "[DateRegistered > '[%BeginOfCurrentDay%] - 3 * [%YearLength%]']" },
  { n: 27, entity: 'System.User', xpath: "[System.UserRoles = '[%UserRole_Administrator%]']", expected: ['u1'] },
  { n: 28, entity: O, xpath: "[System.owner='[%CurrentUser%]']", expected: ['o1', 'o3'], ctx: { user: { id: 'u1', roles: ['User'] } } },
  { n: 29, entity: O, xpath: "[Module.Order_Customer = '[%CurrentUser%]']" },
  { n: 30, entity: 'QueryOver.Folder', xpath: '[QueryOver.Folder_SubFolder=$ChosenFolder]', expected: ['letters', 'bills'], ctx: docs },
  { n: 31, entity: 'QueryOver.Folder', xpath: '[QueryOver.Folder_SubFolder [reversed ()]=$ChosenFolder]', expected: ['root'], ctx: docs },
  {
    n: 32,
    entity: 'QueryOver.File',
    xpath: '[QueryOver.File_Folder/QueryOver.Folder/QueryOver.Folder_SubFolder [reversed ()]=$ChosenFolder]',
    expected: ['f-root'],
    ctx: docs,
  },
  { n: 33, entity: O, xpath: '[weekday-from-dateTime(DateAttribute) = 6]', expected: ['o1'], ctx: { timeZone: 'UTC' } },
  { n: 34, entity: O, xpath: "[weekday-from-dateTime(DateAttribute, 'America/New_York') = 6]", expected: ['o1', 'o2'] },
  { n: 35, entity: O, xpath: "[OrderStatus = 'Open']", expected: ['o2', 'o3', 'o6'] },
  { n: 36, entity: O, xpath: '[TotalPrice >= 50]', expected: ['o1', 'o2', 'o4', 'o5', 'o6'] },
  {
    n: 37,
    entity: O,
    xpath: "[Sales.Order_Customer/Sales.Customer/City = 'Rotterdam']",
    evaluate: "[Sales.Customer_Order/Sales.Customer/City = 'Rotterdam']",
    expected: ['o1', 'o2'],
  },
  { n: 38, entity: O, xpath: "[OrderStatus = 'Open'] or [TotalPrice >= 50]", expected: ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'] },
  { n: 39, entity: O, xpath: 'price = 9.80 or price = 9.70' },
  { n: 40, entity: C, xpath: '[($CurrentAddress = Sales.Customer_Address)]', expected: ['c6'], ctx: { variables: { CurrentAddress: { id: 'a6' } } } },
  { n: 40, entity: C, xpath: '[(Sales.Customer_Address = $CurrentAddress)]', expected: ['c6'], ctx: { variables: { CurrentAddress: { id: 'a6' } } } },
];

describe('mendix.md §3.6 conformance examples', () => {
  test('the table covers all 40 examples', () => {
    expect(new Set(examples.map((e) => e.n)).size).toBe(40);
  });

  test.each(examples)('example #$n parses: $xpath', ({ xpath }) => {
    const ast = parseXPath(xpath);
    expect(ast.kind).toBe('xpath');
    expect(ast.source).toBe(xpath);
  });

  test.each(examples.filter((e) => e.expected !== undefined))('example #$n selects the documented objects: $xpath', (e) => {
    expect(matching(e.entity, e.evaluate ?? e.xpath, e.ctx)).toEqual(e.expected);
  });
});
