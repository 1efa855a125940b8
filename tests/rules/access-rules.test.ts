import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/define-app.js';
import {
  canCreate,
  canDelete,
  canWrite,
  compiledRules,
  entityReadable,
  memberRights,
  readableProjection,
  readScope,
} from '../../src/rules/index.js';
import { app, ctx, orders, user } from './rules-fixture.js';

const O = 'Sales.Order';
const ALL = ['Number', 'Status', 'TotalPrice', 'Secret', 'Sales.Order_Customer'];

describe('readableProjection: rules add up per role and per matching XPath', () => {
  it.each([
    ['Sales on an own open order gets both Sales rules', ['Sales'], 'o1', ['Number', 'Status', 'TotalPrice', 'Sales.Order_Customer']],
    ["Sales on another's open order gets only the open-order rule", ['Sales'], 'o2', ['Status']],
    ['Sales on an own closed order gets only the ownership rule', ['Sales'], 'o3', ['Number', 'Status', 'TotalPrice', 'Sales.Order_Customer']],
    ["Sales on another's closed order sees nothing", ['Sales'], 'o4', null],
    ["Sales + Auditor on another's closed order gets the auditor members", ['Sales', 'Auditor'], 'o4', ['Number', 'Secret']],
    ['Sales + Auditor on an own closed order gets the union of members', ['Sales', 'Auditor'], 'o3', ALL],
    ['Manager (rule without XPath) sees every member of any order', ['Manager'], 'o2', ALL],
    ['Manager + Sales: the unlimited rule wins over the limited one', ['Manager', 'Sales'], 'o4', ALL],
    ['Guest (create-only rule) reads nothing', ['Guest'], 'o1', null],
    ['a role without rules reads nothing', ['Nobody'], 'o1', null],
  ] as const)('%s', (_name, roles, id, members) => {
    const projection = readableProjection(app, O, orders[id]!, user(...roles), ctx);
    if (members === null) {
      expect(projection).toBeNull();
    } else {
      expect(Object.keys(projection!).sort()).toEqual(['id', ...members].sort());
      for (const m of members) expect(projection![m]).toEqual(orders[id]![m] ?? null);
    }
  });

  it('reads empty readable members as null and never leaks unreadable ones', () => {
    const p = readableProjection(app, O, { ...orders['o4']!, Secret: undefined as unknown as null }, user('Auditor'), ctx);
    expect(p).toEqual({ id: 'o4', Number: 4, Secret: null });
  });

  it('returns null for a signed-out user', () => {
    expect(readableProjection(app, O, orders['o1']!, null, ctx)).toBeNull();
  });
});

describe('memberRights', () => {
  it('lists every member with the highest right of the matching rules', () => {
    const rights = memberRights(app, O, orders['o1']!, user('Sales', 'Auditor'), ctx);
    expect(Object.fromEntries(rights)).toEqual({ Number: 'read', Status: 'readwrite', TotalPrice: 'read', Secret: 'none', 'Sales.Order_Customer': 'read' });
  });
});

describe('writes are judged per rule on the stored object', () => {
  it.each([
    ['Sales writes Status of an own order (readwrite in the matching rule)', ['Sales'], 'o1', 'Status', true],
    ["Sales cannot write Status of another's order (only read there)", ['Sales'], 'o2', 'Status', false],
    ['Sales cannot write a read-only member', ['Sales'], 'o1', 'Number', false],
    ['Manager writes any member', ['Manager'], 'o2', 'Secret', true],
    ['Auditor cannot write what it may read', ['Auditor'], 'o4', 'Secret', false],
    ['Sales cannot write a reference it may only read', ['Sales'], 'o1', 'Sales.Order_Customer', false],
  ] as const)('%s', (_name, roles, id, member, expected) => {
    expect(canWrite(app, O, orders[id]!, member, user(...roles), ctx)).toBe(expected);
  });

  it.each([
    ['Sales deletes an open order (second rule)', ['Sales'], 'o2', true],
    ['Sales cannot delete an own closed order (ownership rule has no delete)', ['Sales'], 'o3', false],
    ['Manager deletes anything', ['Manager'], 'o4', true],
    ['Guest cannot delete', ['Guest'], 'o1', false],
  ] as const)('%s', (_name, roles, id, expected) => {
    expect(canDelete(app, O, orders[id]!, user(...roles), ctx)).toBe(expected);
  });

  it('judges delete on the stored object, not on the change the user is making', () => {
    const stored = orders['o3']!; // Closed: no delete for Sales
    const changed = { ...stored, Status: 'Open' };
    expect(canDelete(app, O, stored, user('Sales'), ctx)).toBe(false);
    expect(canDelete(app, O, changed, user('Sales'), ctx)).toBe(true);
  });

  it('judges a member write on the stored object: moving an order to oneself does not grant it', () => {
    const stored = orders['o2']!;
    expect(canWrite(app, O, stored, 'Status', user('Sales'), ctx)).toBe(false);
    expect(canWrite(app, O, { ...stored, 'Sales.Order_Customer': 'c1' }, 'Status', user('Sales'), ctx)).toBe(true);
  });

  it('rejects an unknown member', () => {
    expect(() => canWrite(app, O, orders['o1']!, 'Nope', user('Manager'), ctx)).toThrow(expect.objectContaining({ code: 'unknown-member', details: { entity: O, member: 'Nope' } }));
  });
});

describe('create ignores XPath', () => {
  it.each([
    [['Sales'], true],
    [['Guest'], true],
    [['Auditor'], false],
    [['Manager'], true],
    [[], false],
  ] as const)('roles %j may create: %s', (roles, expected) => {
    expect(canCreate(app, O, user(...roles))).toBe(expected);
  });
});

describe('entityReadable and readScope', () => {
  it.each([
    [['Sales'], O, true, { kind: 'xpath', xpaths: ["[Sales.Order_Customer/Sales.Customer/AccountManager = '[%CurrentUser%]']", "[Status = 'Open']"] }],
    [['Manager', 'Sales'], O, true, { kind: 'all' }],
    [['Guest'], O, false, { kind: 'none' }],
    [['Auditor'], 'Sales.Customer', false, { kind: 'none' }],
    [['Manager'], 'Sales.Note', false, { kind: 'none' }],
  ] as const)('roles %j on %s: readable %s', (roles, entity, readable, scope) => {
    expect(entityReadable(app, entity, user(...roles))).toBe(readable);
    expect(readScope(app, entity, user(...roles))).toEqual(scope);
  });
});

describe('entities without rules', () => {
  const open = defineApp({ entities: { 'A.Thing': { attributes: { Name: 'string' } } } });
  const thing = { id: 't1', Name: 'x' };

  it('allows everything to everyone when the app declares no access rules (security off)', () => {
    expect(readableProjection(open, 'A.Thing', thing, null)).toEqual(thing);
    expect(canCreate(open, 'A.Thing', null)).toBe(true);
    expect(canDelete(open, 'A.Thing', thing, null)).toBe(true);
    expect(canWrite(open, 'A.Thing', thing, 'Name', null)).toBe(true);
    expect(entityReadable(open, 'A.Thing', null)).toBe(true);
    expect(readScope(open, 'A.Thing', null)).toEqual({ kind: 'all' });
  });

  it('allows nothing on an entity without rules once the app has access rules', () => {
    const note = { id: 'n1', Text: 'x' };
    const manager = user('Manager');
    expect(readableProjection(app, 'Sales.Note', note, manager, ctx)).toBeNull();
    expect(canCreate(app, 'Sales.Note', manager)).toBe(false);
    expect(canDelete(app, 'Sales.Note', note, manager, ctx)).toBe(false);
    expect(canWrite(app, 'Sales.Note', note, 'Text', manager, ctx)).toBe(false);
    expect([...memberRights(app, 'Sales.Note', note, manager, ctx).values()]).toEqual(['none']);
  });
});

describe('compiled rules', () => {
  it('compiles each rule once per app definition', () => {
    const first = compiledRules(app, O);
    expect(compiledRules(app, O)).toBe(first);
    expect(first.filter((r) => r.matches !== null)).toHaveLength(3);
  });

  it('uses the judged user for [%CurrentUser%] unless the context names one', () => {
    expect(readableProjection(app, O, orders['o3']!, { id: 'someone-else', roles: ['Sales'] }, ctx)).toBeNull();
    expect(readableProjection(app, O, orders['o4']!, { id: 'x', roles: ['Sales'] }, { ...ctx, user: { id: 'someone-else', roles: [] } })).not.toBeNull();
  });
});
