import { defineApp } from '../../app/index.js';

const MINE = "[AccountManager = '[%CurrentUser%]']";
const MY_ORDER = "[Sales.Order_Customer/Sales.Customer/AccountManager = '[%CurrentUser%]']";

/**
 * The demo app (DESIGN.md §2): a sales rep (role Sales) sees only the customers they manage, and
 * not their credit limit, and those customers' orders; the manager sees and changes everything;
 * the auditor reads everything and writes nothing. Users are identified by name (`ann`, `meg`).
 */
export const demoApp = defineApp({
  roles: ['Sales', 'Manager', 'Auditor'],
  entities: {
    'Sales.Customer': { attributes: { Name: 'string', City: 'string', CreditLimit: 'decimal', AccountManager: 'string' }, indexes: ['Name'] },
    'Sales.Order': {
      attributes: { Number: 'integer', Status: { enum: ['Open', 'Paid', 'Closed'] }, TotalPrice: 'decimal', PlacedAt: 'datetime', Paid: 'boolean' },
      indexes: ['Status'],
    },
    'Sales.Photo': { file: 'image', attributes: { Caption: 'string' } },
    'Sales.Feedback': { attributes: { Text: 'string', Author: 'string' } },
    'Sales.Draft': { persistent: false, attributes: { Text: 'string' } },
  },
  associations: {
    'Sales.Order_Customer': { from: 'Sales.Order', to: 'Sales.Customer', type: 'reference' },
    'Sales.Photo_Order': { from: 'Sales.Photo', to: 'Sales.Order', type: 'reference' },
  },
  accessRules: {
    'Sales.Customer': [
      { roles: ['Sales'], members: { Name: 'readwrite', City: 'readwrite', AccountManager: 'read' }, xpath: MINE },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
      { roles: ['Auditor'], members: { Name: 'read', City: 'read', CreditLimit: 'read', AccountManager: 'read' } },
    ],
    'Sales.Order': [
      {
        roles: ['Sales'],
        create: true,
        members: { Number: 'readwrite', Status: 'readwrite', TotalPrice: 'readwrite', PlacedAt: 'readwrite', Paid: 'read', 'Sales.Order_Customer': 'readwrite' },
        xpath: MY_ORDER,
      },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
      { roles: ['Auditor'], defaultMemberRight: 'read' },
    ],
    'Sales.Photo': [
      { roles: ['Sales'], create: true, members: '*', xpath: "[Sales.Photo_Order/Sales.Order/Sales.Order_Customer/Sales.Customer/AccountManager = '[%CurrentUser%]']" },
      { roles: ['Manager'], create: true, delete: true, members: '*' },
      { roles: ['Auditor'], defaultMemberRight: 'read' },
    ],
    'Sales.Feedback': [{ roles: ['Sales', 'Manager', 'Auditor'], create: true, members: { Text: 'readwrite', Author: 'readwrite' } }],
    'Sales.Draft': [{ roles: ['Sales', 'Manager', 'Auditor'], create: true, delete: true, members: '*' }],
  },
  syncProfile: {
    'Sales.Customer': { mode: 'all' },
    'Sales.Order': { mode: 'xpath', xpath: "[Status != 'Closed']" },
    'Sales.Photo': { mode: 'all', files: 'lazy' },
    'Sales.Feedback': { mode: 'nothing-clear' },
  },
});

/** The demo users and their roles (user id = name). */
export const DEMO_USERS: Readonly<Record<string, readonly string[]>> = {
  ann: ['Sales'],
  bob: ['Sales'],
  meg: ['Manager'],
  aud: ['Auditor'],
};
