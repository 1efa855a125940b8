import { defineApp } from 'offline-vault/app';

/** Entity names of the demo app. */
export const CUSTOMER = 'Sales.Customer';
export const ORDER = 'Sales.Order';
export const ORDER_CUSTOMER = 'Sales.Order_Customer';

/** The demo's app definition: customers and their orders. Name, City and Status get blind indexes. */
export const salesApp = defineApp({
  entities: {
    [CUSTOMER]: {
      attributes: {
        Name: { type: 'string', required: true, maxLength: 80 },
        City: { type: 'string', maxLength: 60 },
        CreditLimit: 'decimal',
      },
      indexes: ['Name', 'City'],
    },
    [ORDER]: {
      attributes: {
        Number: { type: 'integer', required: true },
        Status: { enum: ['Open', 'Paid', 'Closed'], required: true },
        TotalPrice: 'decimal',
        PlacedAt: 'datetime',
        Paid: 'boolean',
        Note: { type: 'string', maxLength: 500 },
      },
      indexes: ['Status'],
    },
  },
  associations: {
    [ORDER_CUSTOMER]: { from: ORDER, to: CUSTOMER, type: 'reference' },
  },
});

/** Labels shown for members (the model uses Mendix-style PascalCase names). */
export const LABELS: Record<string, string> = {
  Name: 'Name',
  City: 'City',
  CreditLimit: 'Credit limit',
  Number: 'Order number',
  Status: 'Status',
  TotalPrice: 'Total price',
  PlacedAt: 'Placed at',
  Paid: 'Paid',
  Note: 'Note',
  [ORDER_CUSTOMER]: 'Customer',
};
