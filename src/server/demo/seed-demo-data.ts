import type { UploadChange } from '../../core/sync-protocol.js';
import type { AccessContext } from '../access-sql.js';
import { applyUpload } from '../apply-upload.js';
import type { SyncStore } from '../sync-store.js';
import { demoApp } from './demo-app.js';

const id = (kind: 'c' | 'o', n: number): string => `00000000-0000-4000-8000-${kind === 'c' ? 'c' : '0'}${String(n).padStart(11, '0')}`;

/** Ids of the seeded demo customers, by account manager. */
export const DEMO_CUSTOMER_IDS = { ann: [id('c', 1), id('c', 2)], bob: [id('c', 3), id('c', 4)], meg: [id('c', 5)] } as const;

const CUSTOMERS: [number, string, string, string, string][] = [
  [1, 'Van Dijk Bouw', 'Rotterdam', '30000.01', 'ann'],
  [2, 'Jansen & Zn', 'Utrecht', '12000', 'ann'],
  [3, 'De Vries Logistiek', 'Amsterdam', '50000', 'bob'],
  [4, 'Bakker Retail', 'Rotterdam', '8000', 'bob'],
  [5, 'Smit Holding', 'Den Haag', '100000', 'meg'],
];

const ORDERS: [number, number, 'Open' | 'Paid' | 'Closed', string, boolean][] = [
  [1, 1, 'Open', '1250.50', false],
  [2, 1, 'Paid', '310', true],
  [3, 1, 'Closed', '99.95', true],
  [4, 2, 'Open', '4200', false],
  [5, 3, 'Open', '780', false],
  [6, 3, 'Closed', '15000', true],
  [7, 4, 'Paid', '42.10', true],
  [8, 5, 'Open', '560', false],
];

/** The seed as upload changes with fixed mutation ids: seeding twice applies nothing the second time. */
export function demoSeedChanges(): UploadChange[] {
  const changes: UploadChange[] = CUSTOMERS.map(([n, Name, City, CreditLimit, AccountManager]) => ({
    mutationId: `seed-customer-${n}`,
    entity: 'Sales.Customer',
    id: id('c', n),
    op: 'create',
    values: { Name, City, CreditLimit, AccountManager },
  }));
  for (const [n, c, Status, TotalPrice, Paid] of ORDERS) {
    changes.push({
      mutationId: `seed-order-${n}`,
      entity: 'Sales.Order',
      id: id('o', n),
      op: 'create',
      values: { Number: 1000 + n, Status, TotalPrice, PlacedAt: new Date(Date.UTC(2026, 0, n, 9)).toISOString(), Paid, 'Sales.Order_Customer': id('c', c) },
    });
  }
  return changes;
}

/** Seeds the demo customers and orders through the normal upload path (as a manager). */
export async function seedDemoData(store: SyncStore): Promise<void> {
  const user = { id: 'seed', roles: ['Manager'] };
  const ac: AccessContext = { app: demoApp, dialect: store.dialect, user, xpath: { user, now: new Date() } };
  const results = await applyUpload(store, ac, demoSeedChanges());
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0) throw new Error(`demo seed rejected ${failed.length} changes`);
}
