import { describe, expect, test } from 'vitest';
import { defineApp } from '../../src/app/define-app.js';
import { XPathSyntaxError, XPathTypeError } from '../../src/core/errors.js';
import { checkDefinitionXPath } from '../../src/xpath/check-definition-xpath.js';
import { checkXPath } from '../../src/xpath/check-xpath.js';
import { parseXPath } from '../../src/xpath/parse-xpath.js';
import { app } from './sales-fixture.js';

const C = 'Sales.Customer';
const O = 'Sales.Order';
const F = 'QueryOver.Folder';

function typeErrorOf(entity: string, xpath: string): XPathTypeError {
  try {
    checkXPath(parseXPath(xpath), { app, entity });
  } catch (e) {
    if (e instanceof XPathTypeError) return e;
    throw e;
  }
  throw new Error(`no XPathTypeError for ${xpath}`);
}

// [entity, constraint, code, the offending part named in details]
const errors: [string, string, string, string][] = [
  [C, "[Nmae = 'x']", 'unknown-attribute', 'Nmae'],
  [C, "[Sales.Customer_Order/Sales.Order/Totl = 1]", 'unknown-attribute', 'Sales.Customer_Order/Sales.Order/Totl'],
  [C, '[Sales.Nope/Sales.Order]', 'unknown-association', 'Sales.Nope/Sales.Order'],
  [C, "[Sales.Nope = 'x']", 'unknown-association', 'Sales.Nope'],
  [C, '[Sales.Address_Country/Sales.Country]', 'wrong-path-step', 'Sales.Address_Country/Sales.Country'],
  [C, '[Sales.Customer_Order/Sales.Address]', 'wrong-path-step', 'Sales.Customer_Order/Sales.Address'],
  [C, '[Sales.Customer_Order/Sales.Nowhere]', 'unknown-entity', 'Sales.Customer_Order/Sales.Nowhere'],
  [C, '[QueryOver.Folder_SubFolder/QueryOver.Folder]', 'wrong-path-step', 'QueryOver.Folder_SubFolder/QueryOver.Folder'],
  [C, '[Sales.Customer_Order[reversed()]/Sales.Order]', 'reversed-not-self', 'Sales.Customer_Order[reversed()]/Sales.Order'],
  [C, '[Sales.Customer_Order = 5]', 'association-type', 'Sales.Customer_Order = 5'],
  [C, '[Sales.Customer_Order = true()]', 'association-type', 'Sales.Customer_Order = true()'],
  [C, "[Sales.Customer_Order = '[%CurrentDateTime%]']", 'association-type', "Sales.Customer_Order = '[%CurrentDateTime%]'"],
  [C, '[Sales.Customer_Order = empty]', 'empty-association', 'Sales.Customer_Order = empty'],
  [C, '[NULL != Sales.Customer_Order]', 'empty-association', 'NULL != Sales.Customer_Order'],
  [C, "[contains(CreditLimit, '1')]", 'function-type', "contains(CreditLimit, '1')"],
  [C, '[contains(Name, 5)]', 'function-type', '5'],
  [C, '[length(Visits) > 1]', 'function-type', 'length(Visits)'],
  [C, '[year-from-dateTime(Name) = 2024]', 'function-type', 'year-from-dateTime(Name)'],
  [C, "[year-from-dateTime(DateRegistered, 'Mars/Olympus') = 2024]", 'unknown-time-zone', "year-from-dateTime(DateRegistered, 'Mars/Olympus')"],
  [O, "[OrderStatus = 'Shipped']", 'unknown-enum-key', "'Shipped'"],
  [O, "['open' != OrderStatus]", 'unknown-enum-key', "'open'"],
  [C, '[IsGoldCustomer > false()]', 'boolean-ordering', 'IsGoldCustomer > false()'],
  [C, "[IsGoldCustomer <= 'true']", 'boolean-ordering', "IsGoldCustomer <= 'true'"],
  [C, "[id > 'c1']", 'invalid-ordering', "id > 'c1'"],
  [C, '[Name > empty]', 'invalid-ordering', 'Name > empty'],
  [C, "[Name = 'x' or CreditLimit = 'lots']", 'type-mismatch', "CreditLimit = 'lots'"],
  [C, '[Name = 5]', 'type-mismatch', 'Name = 5'],
  [C, "[IsGoldCustomer = 'yes']", 'type-mismatch', "IsGoldCustomer = 'yes'"],
  [C, '[DateRegistered = 5]', 'type-mismatch', 'DateRegistered = 5'],
  [C, "[DateRegistered = 'yesterday']", 'type-mismatch', "DateRegistered = 'yesterday'"],
  [C, '[id = 5]', 'type-mismatch', 'id = 5'],
  [C, '[length(Name) = empty]', 'type-mismatch', 'length(Name) = empty'],
  [C, "[Name = '[%UserRole_Pilot%]']", 'unknown-role', "'[%UserRole_Pilot%]'"],
  [C, '[Sales.Customer_Address/Sales.Address[Nope = 1]]', 'unknown-attribute', 'Nope'],
];

describe('checkXPath rejects constraints that do not fit the app definition', () => {
  test.each(errors)('%s %s -> %s', (entity, xpath, code, part) => {
    const e = typeErrorOf(entity, xpath);
    expect(e.code).toBe(code);
    expect(e.details['part']).toBe(part);
    expect(e.details['position']).toBe(xpath.indexOf(part));
    expect(e.message).toContain(`at ${xpath.indexOf(part)}`);
  });

  test('an unknown context entity is a type error', () => {
    expect(typeErrorOf('Sales.Nope', "[Name = 'x']").code).toBe('unknown-entity');
  });
});

const accepted: [string, string][] = [
  [C, "[Name = City][Name != 'x'][Name < 'm']"],
  [C, '[Sales.Customer_Address/Sales.Address/Sales.Address_Country/Sales.Country]'],
  [O, '[Sales.Customer_Order/Sales.Customer/Sales.Customer_Address/Sales.Address]'],
  [F, '[QueryOver.Folder_SubFolder[reversed()]/QueryOver.Folder/QueryOver.Folder_SubFolder/QueryOver.Folder]'],
  [C, "[IsGoldCustomer = 'true'][IsGoldCustomer != false()]"],
  [O, "[OrderStatus = 'Open'][OrderStatus != $s][TotalPrice >= 50][TotalPrice < Number]"],
  [C, "[DateRegistered < '2024-01-01'][DateRegistered > '[%BeginOfCurrentYearUTC%]'][DateRegistered = empty]"],
  [C, "[Sales.Customer_Order = '[%CurrentObject%]'][id = '[%CurrentUser%]'][id = $x][$x = $y]"],
  [O, "[System.owner = '[%CurrentUser%]'][System.owner/System.User/Name = 'ann']"],
  [C, "[contains(Name, $n)][ends-with(Name, City)][string-length(City) = Visits]"],
  [C, "[hours-from-dateTime(DateRegistered, 'UTC') = 3][week-from-dateTime(DateRegistered) = Visits]"],
];

describe('checkXPath accepts well-typed constraints', () => {
  test.each(accepted)('%s %s', (entity, xpath) => {
    expect(() => checkXPath(parseXPath(xpath), { app, entity })).not.toThrow();
  });
});

describe('checkDefinitionXPath and defineApp', () => {
  test('a type error carries where it was found, in details and message', () => {
    let error: unknown;
    try {
      checkDefinitionXPath(app, C, "[Nmae = 'x']", { entity: C, rule: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XPathTypeError);
    const e = error as XPathTypeError;
    expect(e.details).toMatchObject({ entity: C, rule: 2, part: 'Nmae', position: 1 });
    expect(e.message).toMatch(/^Access rule 2 of Sales.Customer: /);
  });

  test('a syntax error keeps its position and gains where', () => {
    let error: unknown;
    try {
      checkDefinitionXPath(app, O, "[OrderStatus = 'Open' or]", { entity: O, syncProfile: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XPathSyntaxError);
    expect((error as XPathSyntaxError).position).toBe(24);
    expect((error as XPathSyntaxError).details).toMatchObject({ entity: O, syncProfile: true });
    expect((error as Error).message).toMatch(/^Sync profile of Sales.Order: Expected/);
  });

  test('defineApp rejects an access rule whose constraint names an unknown attribute', () => {
    const spec = {
      roles: ['User'],
      entities: { 'M.Task': { attributes: { Title: 'string' as const } } },
      accessRules: { 'M.Task': [{ roles: ['User'], members: '*' as const, xpath: "[Titel = 'x']" }] },
    };
    expect(() => defineApp(spec)).toThrow(XPathTypeError);
    expect(() => defineApp({ ...spec, accessRules: { 'M.Task': [{ roles: ['User'], members: '*', xpath: "[Title = 'x']" }] } })).not.toThrow();
  });
});
