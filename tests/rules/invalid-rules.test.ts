import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/define-app.js';
import type { AccessRuleSpec } from '../../src/app/index.js';
import { ValidationError, XPathSyntaxError, XPathTypeError } from '../../src/core/errors.js';

const withRule = (rule: AccessRuleSpec) => () =>
  defineApp({
    roles: ['Sales'],
    entities: { 'Sales.Order': { attributes: { Number: 'integer', Status: { enum: ['Open', 'Closed'] } } } },
    accessRules: { 'Sales.Order': [{ roles: ['Sales'], members: { Number: 'read' } }, rule] },
  });

describe('defineApp rejects invalid access rules, naming entity and rule', () => {
  it.each([
    ['an unknown role', { roles: ['Nope'], members: { Number: 'read' } }, ValidationError, 'unknown-role', { role: 'Nope' }],
    ['an unknown member', { roles: ['Sales'], members: { Nope: 'read' } }, ValidationError, 'unknown-member', { member: 'Nope' }],
    ['an XPath that does not parse', { roles: ['Sales'], members: { Number: 'read' }, xpath: "[Number = 1" }, XPathSyntaxError, undefined, {}],
    ['an XPath naming an unknown attribute', { roles: ['Sales'], members: { Number: 'read' }, xpath: '[Nope = 1]' }, XPathTypeError, 'unknown-attribute', {}],
    ['an XPath with an unknown enumeration key', { roles: ['Sales'], members: { Number: 'read' }, xpath: "[Status = 'Paid']" }, XPathTypeError, 'unknown-enum-key', {}],
  ] as const)('%s', (_name, rule, type, code, extra) => {
    let error: unknown;
    try {
      withRule(rule as AccessRuleSpec)();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(type);
    const e = error as ValidationError;
    if (code !== undefined) expect(e.code).toBe(code);
    expect(e.details).toMatchObject({ entity: 'Sales.Order', rule: 1, ...extra });
  });

  it('accepts the same rule with a valid XPath', () => {
    expect(withRule({ roles: ['Sales'], members: { Number: 'read' }, xpath: "[Status = 'Open']" })().accessRules.get('Sales.Order')).toHaveLength(2);
  });
});
