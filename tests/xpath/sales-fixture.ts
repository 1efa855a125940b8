import { defineApp } from '../../src/app/define-app.js';
import type { AssociationDef, VaultObject } from '../../src/app/index.js';
import { compileXPath } from '../../src/xpath/compile-xpath.js';
import type { XPathContext } from '../../src/xpath/xpath-context.js';

/** The app of mendix.md §3.6 (Sales, QueryOver, System) used by the XPath tests. */
export const app = defineApp({
  roles: ['Administrator', 'User'],
  entities: {
    'Sales.Customer': {
      attributes: {
        Name: 'string',
        FirstName: 'string',
        City: 'string',
        IsGoldCustomer: 'boolean',
        DateRegistered: 'datetime',
        CreditLimit: 'decimal',
        Visits: 'integer',
      },
      // Indexes matter only to vault.query (tests/store/local-query*.test.ts): string, boolean, decimal.
      indexes: ['Name', 'IsGoldCustomer', 'CreditLimit'],
    },
    'Sales.Address': { attributes: { City: 'string' } },
    'Sales.Country': { attributes: { Name: 'string' } },
    'Sales.Order': {
      attributes: {
        Number: 'integer',
        TotalPrice: 'decimal',
        HasPayed: 'boolean',
        OrderStatus: { enum: ['Open', 'Paid', 'Closed'] },
        DateAttribute: 'datetime',
      },
      indexes: ['OrderStatus', 'Number'],
    },
    'System.User': { attributes: { Name: 'string' } },
    'System.UserRole': { attributes: { Name: 'string' } },
    'QueryOver.Folder': { attributes: { Name: 'string' }, indexes: ['Name'] },
    'QueryOver.File': { attributes: { Name: 'string' } },
  },
  associations: {
    // Address holds the reference: from a Customer this step is walked backward.
    'Sales.Customer_Address': { from: 'Sales.Address', to: 'Sales.Customer', type: 'reference' },
    'Sales.Address_Country': { from: 'Sales.Address', to: 'Sales.Country', type: 'reference' },
    'Sales.Customer_Order': { from: 'Sales.Order', to: 'Sales.Customer', type: 'reference' },
    'System.UserRoles': { from: 'System.User', to: 'System.UserRole', type: 'reference-set' },
    'System.owner': { from: 'Sales.Order', to: 'System.User', type: 'reference' },
    // Self-reference: a folder holds the reference to its parent.
    'QueryOver.Folder_SubFolder': { from: 'QueryOver.Folder', to: 'QueryOver.Folder', type: 'reference' },
    'QueryOver.File_Folder': { from: 'QueryOver.File', to: 'QueryOver.Folder', type: 'reference' },
  },
});

const c = (id: string, Name: string | null, extra: Record<string, unknown> = {}): VaultObject => ({
  id,
  Name,
  FirstName: null,
  City: null,
  IsGoldCustomer: false,
  DateRegistered: null,
  CreditLimit: null,
  Visits: null,
  ...extra,
});

/** Objects per entity, in stored form (decimals as canonical strings, datetimes as ISO UTC). */
export const data: Record<string, VaultObject[]> = {
  'Sales.Customer': [
    // DateRegistered: c1 Monday 13 May 2024; c2 Saturday 11 May 23:30 UTC (already Sunday in
    // Amsterdam); c5 exactly the end of that week (UTC); c6 just after midnight in Amsterdam on the
    // DST night of 31 March 2024 (still 30 March in UTC).
    c('c1', 'Jansen', { FirstName: 'Piet', City: 'Rotterdam', IsGoldCustomer: true, CreditLimit: '0.3', DateRegistered: '2024-05-13T08:00:00.000Z' }),
    c('c2', 'Smit', { FirstName: 'Andy', City: 'Losdun', CreditLimit: '30000.01', DateRegistered: '2024-05-11T23:30:00.000Z' }),
    c('c3', 'Andy', { FirstName: 'Kees', City: 'Andy', DateRegistered: '2022-01-01T00:00:00.000Z' }),
    c('c4', 'Isaacsen', { FirstName: 'Bo', Visits: 5, DateRegistered: '2020-06-01T00:00:00.000Z' }),
    c('c5', null, { FirstName: 'Marianne', City: 'Delft', DateRegistered: '2024-05-19T00:00:00.000Z' }),
    c('c6', 'Thomson', { DateRegistered: '2024-03-30T23:30:00.000Z' }),
    c('c7', 'Thompson'),
    c('c8', 'Thomson'),
    c('c9', 'Jansen', { IsGoldCustomer: true }),
    c('c10', 'jansen'),
  ],
  'Sales.Address': [
    { id: 'a1', City: 'Rotterdam', 'Sales.Customer_Address': 'c1', 'Sales.Address_Country': 'nl' },
    { id: 'a2', City: 'Losdun', 'Sales.Customer_Address': 'c2', 'Sales.Address_Country': null },
    { id: 'a3', City: 'New Amsterdam', 'Sales.Customer_Address': 'c3', 'Sales.Address_Country': 'gy' },
    { id: 'a4', City: 'New Amsterdam', 'Sales.Customer_Address': 'c6', 'Sales.Address_Country': 'nl' },
    { id: 'a5', City: 'Georgetown', 'Sales.Customer_Address': 'c6', 'Sales.Address_Country': 'gy' },
    { id: 'a6', City: 'New York', 'Sales.Customer_Address': 'c6', 'Sales.Address_Country': null },
    { id: 'a7', City: 'London', 'Sales.Customer_Address': 'c7', 'Sales.Address_Country': null },
    { id: 'a8', City: 'London', 'Sales.Customer_Address': 'c8', 'Sales.Address_Country': null },
    { id: 'a9', City: 'Amsterdam', 'Sales.Customer_Address': 'c9', 'Sales.Address_Country': 'nl' },
    { id: 'a10', City: 'Rotterdam', 'Sales.Customer_Address': 'c10', 'Sales.Address_Country': 'nl' },
  ],
  'Sales.Country': [
    { id: 'nl', Name: 'Netherlands' },
    { id: 'gy', Name: 'Guyana' },
  ],
  'Sales.Order': [
    { id: 'o1', Number: 1, TotalPrice: '40000', HasPayed: true, OrderStatus: 'Paid', DateAttribute: '2024-05-17T12:00:00.000Z', 'Sales.Customer_Order': 'c1', 'System.owner': 'u1' },
    { id: 'o2', Number: 2, TotalPrice: '20000', HasPayed: false, OrderStatus: 'Open', DateAttribute: '2024-05-18T02:00:00.000Z', 'Sales.Customer_Order': 'c1', 'System.owner': 'u2' },
    { id: 'o3', Number: 3, TotalPrice: '49.99', HasPayed: true, OrderStatus: 'Open', DateAttribute: null, 'Sales.Customer_Order': 'c2', 'System.owner': 'u1' },
    { id: 'o4', Number: 4, TotalPrice: '30000.01', HasPayed: false, OrderStatus: 'Closed', DateAttribute: '2024-05-16T23:30:00.000Z', 'Sales.Customer_Order': 'c3', 'System.owner': null },
    { id: 'o5', Number: 5, TotalPrice: '30000', HasPayed: true, OrderStatus: 'Paid', DateAttribute: null, 'Sales.Customer_Order': 'c6', 'System.owner': 'u2' },
    { id: 'o6', Number: 6, TotalPrice: '50', HasPayed: true, OrderStatus: 'Open', DateAttribute: null, 'Sales.Customer_Order': null, 'System.owner': null },
    { id: 'o7', Number: 7, TotalPrice: null, HasPayed: false, OrderStatus: null, DateAttribute: null, 'Sales.Customer_Order': null, 'System.owner': null },
  ],
  'System.User': [
    { id: 'u1', Name: 'ann', 'System.UserRoles': ['Administrator', 'User'] },
    { id: 'u2', Name: 'bob', 'System.UserRoles': ['User'] },
    { id: 'u3', Name: 'cid', 'System.UserRoles': [] },
  ],
  'System.UserRole': [
    { id: 'Administrator', Name: 'Administrator' },
    { id: 'User', Name: 'User' },
  ],
  // root <- docs <- (letters, bills); root <- photos
  'QueryOver.Folder': [
    { id: 'root', Name: 'root', 'QueryOver.Folder_SubFolder': null },
    { id: 'docs', Name: 'docs', 'QueryOver.Folder_SubFolder': 'root' },
    { id: 'photos', Name: 'photos', 'QueryOver.Folder_SubFolder': 'root' },
    { id: 'letters', Name: 'letters', 'QueryOver.Folder_SubFolder': 'docs' },
    { id: 'bills', Name: 'bills', 'QueryOver.Folder_SubFolder': 'docs' },
  ],
  'QueryOver.File': [
    { id: 'f-root', Name: 'readme', 'QueryOver.File_Folder': 'root' },
    { id: 'f-docs', Name: 'cv', 'QueryOver.File_Folder': 'docs' },
    { id: 'f-letter', Name: 'letter', 'QueryOver.File_Folder': 'letters' },
    { id: 'f-photo', Name: 'cat', 'QueryOver.File_Folder': 'photos' },
  ],
};

const byId = new Map<string, VaultObject>();
for (const list of Object.values(data)) for (const o of list) byId.set(o.id, o);

function members(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

/** Association resolver over `data`, as a store would provide it. */
export const resolve: NonNullable<XPathContext['resolve']> = (association: AssociationDef, object, direction) => {
  if (direction === 'forward') {
    return members(object[association.name]).flatMap((id) => {
      const o = byId.get(id);
      return o === undefined ? [] : [o];
    });
  }
  return (data[association.from] ?? []).filter((o) => members(o[association.name]).includes(object.id));
};

/** Ids of the objects of `entity` matching `xpath` (compiled once) in `ctx` (plus the resolver). */
export function matching(entity: string, xpath: string, ctx: XPathContext = {}): string[] {
  const predicate = compileXPath(xpath, { app, entity });
  return (data[entity] ?? []).filter((o) => predicate(o, { resolve, ...ctx })).map((o) => o.id);
}
