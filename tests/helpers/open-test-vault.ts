import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { defineApp, type AppSpec } from '../../src/app/index.js';
import { openVault, type OpenVaultOptions, type Vault } from '../../src/store/index.js';

export const salesSpec: AppSpec = {
  entities: {
    'Sales.Customer': { attributes: { Name: 'string', City: 'string', CreditLimit: 'decimal' }, indexes: ['Name', 'City'] },
    'Sales.Order': {
      attributes: {
        Number: 'integer',
        Status: { enum: ['Open', 'Paid', 'Closed'] },
        TotalPrice: 'decimal',
        PlacedAt: 'datetime',
        Paid: 'boolean',
        Note: 'string',
        CounterA: 'integer',
        CounterB: 'integer',
      },
      indexes: ['Status', 'Number', 'Paid'],
    },
    'Sales.Draft': { persistent: false, attributes: { Text: 'string' }, indexes: ['Text'] },
  },
  associations: {
    'Sales.Order_Customer': { from: 'Sales.Order', to: 'Sales.Customer', type: 'reference' },
  },
};

export const salesApp = defineApp(salesSpec);

/** A fresh in-memory IndexedDB per call, so tests never share state. */
export function freshIndexedDb(): { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange } {
  return { indexedDB: new IDBFactory(), IDBKeyRange };
}

export async function openTestVault(
  overrides: Partial<OpenVaultOptions> = {},
): Promise<{ vault: Vault; idb: ReturnType<typeof freshIndexedDb> }> {
  const idb = overrides.indexedDB !== undefined ? { indexedDB: overrides.indexedDB, IDBKeyRange } : freshIndexedDb();
  const vault = await openVault({ name: 'test', app: salesApp, requestPersistence: false, ...idb, ...overrides });
  return { vault, idb };
}

/** Reads every row of one object store through the raw IndexedDB API. */
export async function rawRows(indexedDB: IDBFactory, dbName: string, store: string): Promise<unknown[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(dbName);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await new Promise<unknown[]>((resolve, reject) => {
      const req = db.transaction(store, 'readonly').objectStore(store).getAll();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** Runs `change(rows)` on every row of a store and writes the rows back (raw tampering). */
export async function tamperRows(indexedDB: IDBFactory, dbName: string, store: string, change: (rows: any[]) => any[]): Promise<void> {
  const rows = (await rawRows(indexedDB, dbName, store)) as any[];
  const next = change(rows);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(dbName);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    const os = tx.objectStore(store);
    os.clear();
    for (const row of next) os.put(row);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}
