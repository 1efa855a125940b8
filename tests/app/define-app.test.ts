import { describe, expect, it } from 'vitest';
import { defineApp, type AppSpec } from '../../src/app/index.js';

const base = (): AppSpec => ({
  entities: {
    'Sales.Customer': { attributes: { Name: 'string', CreditLimit: 'decimal' }, indexes: ['Name'] },
    'Sales.Order': { attributes: { Number: 'integer', Status: { enum: ['Open', 'Paid'] } } },
  },
  associations: { 'Sales.Order_Customer': { from: 'Sales.Order', to: 'Sales.Customer', type: 'reference' } },
});

type Case = { name: string; change: (spec: AppSpec) => void; code: string; details: Record<string, unknown> };

const cases: Case[] = [
  {
    name: 'an unknown attribute type',
    change: (s) => ((s.entities['Sales.Customer']!.attributes as Record<string, unknown>)['Age'] = 'number'),
    code: 'unknown-type',
    details: { entity: 'Sales.Customer', attribute: 'Age' },
  },
  {
    name: 'an index on a missing attribute',
    change: (s) => (s.entities['Sales.Order']!.indexes = ['Total']),
    code: 'unknown-attribute',
    details: { entity: 'Sales.Order', attribute: 'Total' },
  },
  {
    name: 'an association to an unknown entity',
    change: (s) => (s.associations!['Sales.Order_Shop'] = { from: 'Sales.Order', to: 'Sales.Shop', type: 'reference' }),
    code: 'unknown-entity',
    details: { association: 'Sales.Order_Shop', to: 'Sales.Shop' },
  },
  {
    name: 'two attributes whose names differ only in case',
    change: (s) => ((s.entities['Sales.Customer']!.attributes as Record<string, unknown>)['name'] = 'string'),
    code: 'duplicate-name',
    details: { entity: 'Sales.Customer', name: 'name' },
  },
  {
    name: 'an association named like an entity',
    change: (s) => (s.associations!['Sales.customer'] = { from: 'Sales.Order', to: 'Sales.Customer', type: 'reference' }),
    code: 'duplicate-name',
    details: { name: 'Sales.customer' },
  },
  {
    name: 'an index declared twice',
    change: (s) => (s.entities['Sales.Customer']!.indexes = ['Name', 'Name']),
    code: 'duplicate-name',
    details: { entity: 'Sales.Customer', attribute: 'Name' },
  },
  {
    name: 'an entity name without a module',
    change: (s) => (s.entities['Customer'] = { attributes: {} }),
    code: 'invalid-name',
    details: { entity: 'Customer' },
  },
  {
    name: 'an attribute called id',
    change: (s) => ((s.entities['Sales.Order']!.attributes as Record<string, unknown>)['id'] = 'string'),
    code: 'invalid-name',
    details: { entity: 'Sales.Order', attribute: 'id' },
  },
  {
    name: 'an empty enumeration',
    change: (s) => ((s.entities['Sales.Order']!.attributes as Record<string, unknown>)['Kind'] = { enum: [] }),
    code: 'invalid-enum',
    details: { entity: 'Sales.Order', attribute: 'Kind' },
  },
  {
    name: 'maxLength on a non-string',
    change: (s) => ((s.entities['Sales.Order']!.attributes as Record<string, unknown>)['Qty'] = { type: 'integer', maxLength: 3 }),
    code: 'invalid-option',
    details: { entity: 'Sales.Order', attribute: 'Qty' },
  },
  {
    name: 'an association type that does not exist',
    change: (s) => (s.associations!['Sales.Order_Customer']!.type = 'many' as never),
    code: 'invalid-association',
    details: { association: 'Sales.Order_Customer' },
  },
  {
    name: 'a memory-only file entity',
    change: (s) => (s.entities['Sales.Photo'] = { file: 'image', persistent: false }),
    code: 'invalid-option',
    details: { entity: 'Sales.Photo' },
  },
  {
    name: "sync mode 'xpath' without a constraint",
    change: (s) => (s.syncProfile = { 'Sales.Order': { mode: 'xpath' } }),
    code: 'invalid-sync-mode',
    details: { entity: 'Sales.Order' },
  },
  {
    name: 'a sync profile for a memory-only entity',
    change: (s) => {
      s.entities['Sales.Draft'] = { persistent: false, attributes: { Text: 'string' } };
      s.syncProfile = { 'Sales.Draft': { mode: 'all' } };
    },
    code: 'invalid-sync-mode',
    details: { entity: 'Sales.Draft' },
  },
  {
    name: 'access rules without declared roles',
    change: (s) => (s.accessRules = { 'Sales.Order': [{ roles: ['Sales'], create: true }] }),
    code: 'invalid-definition',
    details: {},
  },
];

describe('defineApp', () => {
  it('accepts a valid definition and exposes entities, members and indexes', () => {
    const app = defineApp(base());
    expect([...app.entities.keys()]).toEqual(['Sales.Customer', 'Sales.Order']);
    expect(app.entity('Sales.Order').references.get('Sales.Order_Customer')?.to).toBe('Sales.Customer');
    expect(app.entity('Sales.Customer').indexes).toEqual([{ attribute: 'Name', bits: 13 }]);
    expect(app.version).toBe(1);
  });

  it('gives file entities the FileDocument members', () => {
    const app = defineApp({ entities: { 'Sales.Photo': { file: 'image', attributes: { Caption: 'string' } } } });
    expect([...app.entity('Sales.Photo').attributes.keys()].sort()).toEqual(['Caption', 'MimeType', 'Name', 'Size']);
  });

  for (const c of cases) {
    it(`rejects ${c.name} with a ValidationError naming where`, () => {
      const spec = base();
      c.change(spec);
      let error: unknown;
      try {
        defineApp(spec);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ name: 'ValidationError', code: c.code, details: expect.objectContaining(c.details) });
    });
  }

  it('throws ValidationError for an unknown entity lookup', () => {
    expect(() => defineApp(base()).entity('Sales.Nope')).toThrow(expect.objectContaining({ code: 'unknown-entity' }));
  });
});
