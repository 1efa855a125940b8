// The demo's app definition is the demo server's own (one definition for device and server). The
// module imports only the isomorphic app module, so it bundles for the browser without any Node
// code; it is imported from source until the package exports it from a browser-safe entry point.
export { demoApp, DEMO_USERS } from '../../src/server/demo/demo-app.js';

/** Entity and association names of the demo app. */
export const CUSTOMER = 'Sales.Customer';
export const ORDER = 'Sales.Order';
export const ORDER_CUSTOMER = 'Sales.Order_Customer';
export const PHOTO = 'Sales.Photo';
export const PHOTO_ORDER = 'Sales.Photo_Order';
/** The memory-only entity (`persistent: false`) behind the draft note. */
export const DRAFT = 'Sales.Draft';

/** Labels shown for members (the model uses Mendix-style PascalCase names). */
export const LABELS: Record<string, string> = {
  Name: 'Name',
  City: 'City',
  CreditLimit: 'Credit limit',
  AccountManager: 'Account manager',
  Number: 'Order number',
  Status: 'Status',
  TotalPrice: 'Total price',
  PlacedAt: 'Placed at',
  Paid: 'Paid',
  [ORDER_CUSTOMER]: 'Customer',
  Photo: 'Photo',
};

/** Singular nouns of entities, for messages ("2 customers were removed"). */
export const NOUNS: Record<string, [string, string]> = {
  [CUSTOMER]: ['customer', 'customers'],
  [ORDER]: ['order', 'orders'],
  'Sales.Photo': ['photo', 'photos'],
  'Sales.Feedback': ['feedback note', 'feedback notes'],
};

/** `2 customers`, `1 order`. */
export function countOf(entity: string, n: number): string {
  const [one, many] = NOUNS[entity] ?? ['object', 'objects'];
  return `${n} ${n === 1 ? one : many}`;
}

/** How the sign-in screen presents the seeded users. */
export const USER_PROFILES: Record<string, { name: string; title: string; sees: string }> = {
  ann: { name: 'Ann de Wit', title: 'Sales rep', sees: 'Her own customers and their open orders. No credit limits.' },
  bob: { name: 'Bob Visser', title: 'Sales rep', sees: 'His own customers and their open orders. No credit limits.' },
  meg: { name: 'Meg Jansen', title: 'Sales manager', sees: 'Every customer and order, credit limits included; may change anything.' },
  aud: { name: 'Aud Peters', title: 'Auditor', sees: 'Everything, read-only.' },
};
