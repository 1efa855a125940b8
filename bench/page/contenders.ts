import Dexie from 'dexie';
import { applyEncryptionMiddleware, clearAllTables, NON_INDEXED_FIELDS } from 'dexie-encrypted';
import { openVault } from '../../src/index.js';
import { defineApp } from '../../src/app/index.js';

/** A bench record: about 1 KB, three indexed attributes. */
export interface BenchItem {
  id: string;
  Category: string;
  Code: string;
  Rank: number;
  Text: string;
  Amount: string;
}

/** The operations every contender offers, in the shape of the benchmark. */
export interface Contender {
  bulkPut(items: BenchItem[]): Promise<unknown>;
  bulkGet(ids: string[]): Promise<unknown[]>;
  queryCategory(category: string): Promise<unknown[]>;
  put(item: BenchItem): Promise<unknown>;
  get(id: string): Promise<unknown>;
  close(): Promise<void>;
}

const SCHEMA = 'id, Category, Code, Rank';

const app = defineApp({
  entities: {
    'Bench.Item': {
      attributes: { Category: 'string', Code: 'string', Rank: 'integer', Text: 'string', Amount: 'decimal' },
      indexes: ['Category', 'Code', 'Rank'],
      expectedCount: 10_000,
    },
  },
});

/** The Dexie table API, shared by plain Dexie and dexie-encrypted (a middleware on the same API). */
async function dexieContender(db: Dexie): Promise<Contender> {
  await db.open();
  const t = db.table<BenchItem, string>('items');
  return {
    bulkPut: (items) => t.bulkPut(items),
    bulkGet: (ids) => t.bulkGet(ids),
    queryCategory: (c) => t.where('Category').equals(c).toArray(),
    put: (item) => t.put(item),
    get: (id) => t.get(id),
    close: async () => db.close(),
  };
}

function plainDexie(name: string): Promise<Contender> {
  const db = new Dexie(name);
  db.version(1).stores({ items: SCHEMA });
  return dexieContender(db);
}

function dexieEncrypted(name: string): Promise<Contender> {
  const db = new Dexie(name);
  const key = crypto.getRandomValues(new Uint8Array(32));
  applyEncryptionMiddleware(db, key, { items: NON_INDEXED_FIELDS } as never, clearAllTables);
  db.version(2).stores({ items: SCHEMA });
  return dexieContender(db);
}

async function vault(name: string, encrypted: boolean): Promise<Contender> {
  const v = await openVault({ name, app, encryption: { database: encrypted }, requestPersistence: false });
  const t = v.table('Bench.Item');
  return {
    bulkPut: (items) => t.bulkPut(items as unknown as Record<string, unknown>[]),
    bulkGet: (ids) => t.bulkGet(ids),
    queryCategory: (c) => t.where('Category').equals(c).toArray(),
    put: (item) => t.put(item as unknown as Record<string, unknown>),
    get: (id) => t.get(id),
    close: async () => v.close(),
  };
}

/** Database name each contender uses, so the page can delete it between runs. */
export function databaseOf(kind: ContenderKind, name: string): string {
  return kind.startsWith('vault') ? `offline-vault/${name}` : name;
}

export type ContenderKind = 'dexie' | 'vault-plain' | 'vault-encrypted' | 'dexie-encrypted';

export function openContender(kind: ContenderKind, name: string): Promise<Contender> {
  switch (kind) {
    case 'dexie':
      return plainDexie(name);
    case 'dexie-encrypted':
      return dexieEncrypted(name);
    case 'vault-plain':
      return vault(name, false);
    case 'vault-encrypted':
      return vault(name, true);
  }
}
