import { defineApp } from '../../src/app/define-app.js';
import type { AssociationDef, VaultObject } from '../../src/app/index.js';
import type { XPathContext } from '../../src/xpath/xpath-context.js';

/** Orders visible to their account manager (Sales), open orders to every Sales user, all to Managers. */
export const app = defineApp({
  roles: ['Sales', 'Manager', 'Auditor', 'Guest'],
  entities: {
    'Sales.Customer': { attributes: { Name: 'string', AccountManager: 'string' } },
    'Sales.Order': {
      attributes: { Number: 'integer', Status: { enum: ['Open', 'Paid', 'Closed'] }, TotalPrice: 'decimal', Secret: 'string' },
    },
    'Sales.Note': { attributes: { Text: 'string' } },
  },
  associations: { 'Sales.Order_Customer': { from: 'Sales.Order', to: 'Sales.Customer', type: 'reference' } },
  accessRules: {
    'Sales.Order': [
      {
        roles: ['Sales'],
        create: true,
        delete: false,
        members: { Number: 'read', Status: 'readwrite', TotalPrice: 'read', 'Sales.Order_Customer': 'read' },
        xpath: "[Sales.Order_Customer/Sales.Customer/AccountManager = '[%CurrentUser%]']",
      },
      { roles: ['Sales'], delete: true, members: { Status: 'read' }, xpath: "[Status = 'Open']" },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
      { roles: ['Auditor'], members: { Number: 'read', Secret: 'read' }, xpath: "[Status = 'Closed']" },
      { roles: ['Guest'], create: true },
    ],
    'Sales.Customer': [{ roles: ['Sales', 'Manager'], members: '*' }],
  },
});

export const customers: VaultObject[] = [
  { id: 'c1', Name: 'Jansen', AccountManager: 'u-sales' },
  { id: 'c2', Name: 'Smit', AccountManager: 'someone-else' },
];

const order = (id: string, customer: string | null, Status: string): VaultObject => ({
  id,
  Number: Number(id.slice(1)),
  Status,
  TotalPrice: '10.5',
  Secret: null,
  'Sales.Order_Customer': customer,
});

/** o1 own+open, o2 other+open, o3 own+closed, o4 other+closed. */
export const orders: Record<string, VaultObject> = {
  o1: order('o1', 'c1', 'Open'),
  o2: order('o2', 'c2', 'Open'),
  o3: order('o3', 'c1', 'Closed'),
  o4: order('o4', 'c2', 'Closed'),
};

const resolve: NonNullable<XPathContext['resolve']> = (association: AssociationDef, object, direction) => {
  if (direction === 'forward') return customers.filter((c) => c.id === object[association.name]);
  return Object.values(orders).filter((o) => o[association.name] === object.id);
};

/** The context a server or device passes: a resolver (the user comes from the judged user). */
export const ctx: XPathContext = { resolve };

export const user = (...roles: string[]) => ({ id: 'u-sales', roles });
