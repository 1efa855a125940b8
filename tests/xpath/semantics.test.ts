import { describe, expect, test } from 'vitest';
import type { VaultObject } from '../../src/app/index.js';
import { VaultError } from '../../src/core/errors.js';
import { compileXPath } from '../../src/xpath/compile-xpath.js';
import { app, matching, resolve } from './sales-fixture.js';

const C = 'Sales.Customer';
const O = 'Sales.Order';

function customer(extra: Record<string, unknown>): VaultObject {
  return { id: 'x', Name: null, FirstName: null, City: null, IsGoldCustomer: null, DateRegistered: null, CreditLimit: null, Visits: null, ...extra };
}
function holds(entity: string, xpath: string, object: VaultObject, ctx = {}): boolean {
  return compileXPath(xpath, { app, entity })(object, { resolve, ...ctx });
}

describe('paths compare existentially and not() is not the inverse operator (#16 vs #17)', () => {
  test('a customer with orders of 40000 and 20000 matches <= 30000 but not not(> 30000)', () => {
    expect(matching(C, '[Sales.Customer_Order/Sales.Order/TotalPrice <= 30000]')).toContain('c1');
    expect(matching(C, '[not(Sales.Customer_Order/Sales.Order/TotalPrice > 30000)]')).not.toContain('c1');
  });
  test('a customer without orders matches not(> 30000) but not <= 30000', () => {
    expect(matching(C, '[not(Sales.Customer_Order/Sales.Order/TotalPrice > 30000)]')).toContain('c4');
    expect(matching(C, '[Sales.Customer_Order/Sales.Order/TotalPrice <= 30000]')).not.toContain('c4');
  });
  test('a path = empty needs an object whose attribute is empty', () => {
    expect(matching(C, '[Sales.Customer_Address/Sales.Address/Sales.Address_Country/Sales.Country/Name != empty]')).toEqual(['c1', 'c3', 'c6', 'c9', 'c10']);
    expect(matching('Sales.Address', '[Sales.Customer_Address/Sales.Customer/Name = empty]')).toEqual([]);
  });
});

describe('empty values', () => {
  const table: [string, boolean, boolean][] = [
    // constraint, on Name = null, on Name = 'Jansen'
    ["[Name = 'Jansen']", false, true],
    ["[Name != 'Jansen']", false, false],
    ["[Name != 'Smit']", false, true],
    ["[Name < 'zzz']", false, true],
    ['[Name = empty]', true, false],
    ['[Name != empty]', false, true],
    ["[not(Name = 'Jansen')]", true, false],
    ["[contains(Name, '')]", false, true],
    ["[starts-with(Name, 'j')]", false, true],
    ['[length(Name) >= 0]', false, true],
  ];
  test.each(table)('%s is %s on an empty Name and %s on Jansen', (xpath, onEmpty, onJansen) => {
    expect(holds(C, xpath, customer({ Name: null }))).toBe(onEmpty);
    expect(holds(C, xpath, customer({ Name: 'Jansen' }))).toBe(onJansen);
  });
  test('an empty string is a value, not empty', () => {
    expect(holds(C, '[Name = empty]', customer({ Name: '' }))).toBe(false);
    expect(holds(C, "[contains(Name, '')]", customer({ Name: '' }))).toBe(true);
  });
  test('an unset reference never equals or differs from an id', () => {
    const order = { id: 'o', 'System.owner': null };
    expect(holds(O, "[System.owner = 'u1']", order)).toBe(false);
    expect(holds(O, "[System.owner != 'u1']", order)).toBe(false);
    expect(holds(O, '[not(System.owner/System.User)]', order)).toBe(true);
  });
});

describe('case and strings', () => {
  test('= is case-sensitive and the string functions are not (Unicode lower-casing)', () => {
    const o = customer({ Name: 'ÉCOLE Ünter' });
    expect(holds(C, "[Name = 'école ünter']", o)).toBe(false);
    expect(holds(C, "[contains(Name, 'cole ü')]", o)).toBe(true);
    expect(holds(C, "[starts-with(Name, 'éCo')]", o)).toBe(true);
    expect(holds(C, "[ends-with(Name, 'ÜNTER')]", o)).toBe(true);
    expect(holds(C, "[ends-with(Name, 'unter')]", o)).toBe(false);
  });
  test('string ordering is by code unit and quotes are unescaped', () => {
    expect(holds(C, "[Name < 'a']", customer({ Name: 'Z' }))).toBe(true);
    expect(holds(C, "[Name = 'it''s']", customer({ Name: "it's" }))).toBe(true);
  });
  test('length counts characters, not UTF-16 units', () => {
    expect(holds(C, '[length(Name) = 3]', customer({ Name: 'a😀b' }))).toBe(true);
  });
});

describe('decimals compare exactly', () => {
  const table: [string, string, boolean][] = [
    ['0.3', '[CreditLimit = 0.3]', true],
    ['0.3', '[CreditLimit = 0.30000000000000004]', false],
    ['0.3', '[CreditLimit < 0.30000000000000004]', true],
    ['12345678901234567890.12345678', '[CreditLimit < 12345678901234567890.12345679]', true],
    ['12345678901234567890.12345678', '[CreditLimit = 12345678901234567890.12345679]', false],
    ['9007199254740993', '[CreditLimit > 9007199254740992]', true],
    ['-0.5', '[CreditLimit < 0]', true],
    ['-0.5', '[CreditLimit > -0.50000001]', true],
    ['30000', '[CreditLimit = 30000.000]', true],
    ['50', '[CreditLimit >= 50.00]', true],
  ];
  test.each(table)('stored %s: %s is %s', (stored, xpath, expected) => {
    expect(holds(C, xpath, customer({ CreditLimit: stored }))).toBe(expected);
  });
  test('integers compare exactly with decimals and with decimal attributes', () => {
    expect(holds(C, '[Visits = 5.0]', customer({ Visits: 5 }))).toBe(true);
    expect(holds(C, '[Visits < 5.00000001]', customer({ Visits: 5 }))).toBe(true);
    expect(holds(C, '[Visits > CreditLimit]', customer({ Visits: 5, CreditLimit: '4.99999999' }))).toBe(true);
    expect(holds(C, '[CreditLimit = $v]', customer({ CreditLimit: '0.3' }), { variables: { v: 0.1 + 0.2 } })).toBe(false);
    expect(holds(C, '[CreditLimit = $v]', customer({ CreditLimit: '0.3' }), { variables: { v: '0.3' } })).toBe(true);
  });
  test('#39 operator truth table for price 9.80 and 9.90', () => {
    const rows: [string, boolean, boolean][] = [
      ['[TotalPrice = 9.80 or TotalPrice = 9.70]', true, false],
      ['[TotalPrice != 9.80]', false, true],
      ['[TotalPrice < 9.80]', false, false],
      ['[TotalPrice <= 9.80]', true, false],
      ['[TotalPrice > 9.80]', false, true],
      ['[TotalPrice >= 9.80]', true, true],
      ['[TotalPrice > 9.80 and TotalPrice < 9.95]', false, true],
    ];
    for (const [xpath, at980, at990] of rows) {
      expect([xpath, holds(O, xpath, { id: 'a', TotalPrice: '9.8' }), holds(O, xpath, { id: 'b', TotalPrice: '9.9' })]).toEqual([xpath, at980, at990]);
    }
  });
});

describe('booleans, enums, ids, tokens and variables', () => {
  test('booleans compare to true()/false() and to quoted true/false', () => {
    expect(matching(C, "[IsGoldCustomer = 'true']")).toEqual(matching(C, '[IsGoldCustomer = true()]'));
    expect(matching(C, "[IsGoldCustomer != 'true']")).toEqual(['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c10']);
  });
  test('enums compare by key, case-sensitively', () => {
    expect(matching(O, "[OrderStatus != 'Open']")).toEqual(['o1', 'o4', 'o5']);
  });
  test('id, [%CurrentObject%] and reference sets (existential)', () => {
    expect(matching(C, "[id = '[%CurrentObject%]']", { currentObject: 'c7' })).toEqual(['c7']);
    expect(matching('System.User', "[System.UserRoles = 'User']")).toEqual(['u1', 'u2']);
    expect(matching('System.User', "[System.UserRoles != 'User']")).toEqual(['u1']);
    expect(matching('System.User', "[not(System.UserRoles = 'User')]")).toEqual(['u3']);
  });
  test('without a user [%CurrentUser%] is empty and matches nothing', () => {
    expect(matching(O, "[System.owner = '[%CurrentUser%]']")).toEqual([]);
    expect(matching(O, "[System.owner = '[%CurrentUser%]']", { user: { id: 'u2', roles: [] } })).toEqual(['o2', 'o5']);
  });
  test('a variable may hold an object, an id, an array or null (acts as empty)', () => {
    const vars = (v: unknown) => ({ variables: { v } });
    expect(matching(C, '[Sales.Customer_Order = $v]', vars({ id: 'o2' }))).toEqual(['c1']);
    expect(matching(C, '[Sales.Customer_Order = $v]', vars('o3'))).toEqual(['c2']);
    expect(matching(C, '[Sales.Customer_Order = $v]', vars(['o3', 'o5']))).toEqual(['c2', 'c6']);
    expect(matching(C, '[Name = $v]', vars(null))).toEqual(['c5']);
    expect(matching(C, "[Name = $v][Name != 'Smit']", vars(undefined))).toEqual([]);
  });
  test('a missing variable is a run-time unknown-variable error naming it', () => {
    const p = compileXPath('[Name = $Missing]', { app, entity: C });
    expect(() => p(customer({}), { variables: {} })).toThrow(expect.objectContaining({ code: 'unknown-variable', details: { variable: 'Missing' } }));
    expect(() => p(customer({}))).toThrow(VaultError);
  });
  test('following an association without a resolver is a no-resolver error', () => {
    const p = compileXPath('[Sales.Customer_Order/Sales.Order]', { app, entity: C });
    expect(() => p(customer({}), {})).toThrow(expect.objectContaining({ code: 'no-resolver' }));
  });
  test('a constraint is parsed and checked once, at compile time', () => {
    expect(() => compileXPath("[Nmae = 'x']", { app, entity: C })).toThrow(expect.objectContaining({ code: 'unknown-attribute' }));
    const p = compileXPath("[Name = 'Jansen']", { app, entity: C });
    expect([p(customer({ Name: 'Jansen' })), p(customer({ Name: 'Smit' }))]).toEqual([true, false]);
  });
});
