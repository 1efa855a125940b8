import type { Vault } from 'offline-vault';
import { CUSTOMER, ORDER, ORDER_CUSTOMER } from './sales-app.js';

/** Adds a few customers and orders so the demo has something to show. */
export async function addSampleData(vault: Vault): Promise<void> {
  const [rotterdam, utrecht, delft] = await vault.table(CUSTOMER).bulkPut([
    { Name: 'Van Dijk Installaties', City: 'Rotterdam', CreditLimit: '25000' },
    { Name: 'Bakkerij de Vries', City: 'Utrecht', CreditLimit: '4500.50' },
    { Name: 'Jansen & Zn.', City: 'Delft', CreditLimit: null },
  ]);
  const count = await vault.table(ORDER).count();
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000);
  await vault.table(ORDER).bulkPut([
    { Number: 1001 + count, Status: 'Open', TotalPrice: '1249.95', PlacedAt: at(1), Paid: false, Note: 'Deliver before noon', [ORDER_CUSTOMER]: rotterdam },
    { Number: 1002 + count, Status: 'Paid', TotalPrice: '86.40', PlacedAt: at(6), Paid: true, Note: null, [ORDER_CUSTOMER]: utrecht },
    { Number: 1003 + count, Status: 'Closed', TotalPrice: '3120', PlacedAt: at(30), Paid: true, Note: null, [ORDER_CUSTOMER]: delft },
  ]);
}
