import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import type { OutboxChange } from '../../src/store/outbox.js';
import { createWriteGuard } from '../../src/store/write-guard.js';

const app = defineApp({
  roles: ['Sales', 'Manager'],
  entities: { 'S.Order': { attributes: { Number: 'integer', Status: 'string', Total: 'decimal' } } },
  accessRules: {
    'S.Order': [
      { roles: ['Sales'], create: true, members: { Number: 'read', Status: 'readwrite', Total: 'read' }, xpath: "[Status != 'Closed']" },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
    ],
  },
});
const entity = app.entity('S.Order');
const change = (op: OutboxChange['op'], members: string[]): OutboxChange[] => [{ entity: 'S.Order', op, ids: ['o1'], members }];

describe('the local write guard', () => {
  const cases: { name: string; roles: string[]; op: OutboxChange['op']; members: string[]; code?: string }[] = [
    { name: 'lets a sales rep write a member a rule makes readwrite (even XPath-limited)', roles: ['Sales'], op: 'update', members: ['Status'] },
    { name: 'refuses a sales rep writing a read-only member', roles: ['Sales'], op: 'update', members: ['Total'], code: 'write-denied' },
    { name: 'refuses a create that sets a read-only member', roles: ['Sales'], op: 'create', members: ['Status', 'Number'], code: 'write-denied' },
    { name: 'refuses a delete no rule allows', roles: ['Sales'], op: 'delete', members: [], code: 'delete-denied' },
    { name: 'lets the manager delete', roles: ['Manager'], op: 'delete', members: [] },
    { name: 'refuses a user without a role any create rule names', roles: [], op: 'create', members: [], code: 'create-denied' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const guard = createWriteGuard(app, () => ({ id: 'u1', roles: c.roles }));
      const run = () => guard(entity, change(c.op, c.members));
      if (c.code === undefined) expect(run).not.toThrow();
      else expect(run).toThrow(expect.objectContaining({ name: 'AccessDeniedError', code: c.code, details: expect.objectContaining({ entity: 'S.Order' }) }));
    });
  }

  it('checks nothing before the server has named the user', () => {
    const guard = createWriteGuard(app, () => null);
    expect(() => guard(entity, change('update', ['Total']))).not.toThrow();
  });
});
