/** One object store as read through the raw IndexedDB API, with no vault code involved. */
export interface RawStore {
  name: string;
  count: number;
  indexes: string[];
  /** Key paths of the store's indexes (the row fields IndexedDB indexes). */
  indexedFields: string[];
  /** The first `limit` rows: primary key and stored value, exactly as IndexedDB returns them. */
  rows: Array<{ key: IDBValidKey; value: unknown }>;
}

/** Reads every store of database `name` the way anyone with the browser profile could. */
export async function readRawDatabase(name: string, limit = 25): Promise<RawStore[]> {
  const db = await request(indexedDB.open(name));
  try {
    const stores: RawStore[] = [];
    for (const storeName of Array.from(db.objectStoreNames)) {
      const store = db.transaction(storeName, 'readonly').objectStore(storeName);
      const count = store.count();
      const keys = store.getAllKeys(null, limit);
      const values = store.getAll(null, limit);
      await request(values);
      stores.push({
        name: storeName,
        count: count.result,
        indexes: Array.from(store.indexNames),
        indexedFields: Array.from(store.indexNames).flatMap((index) => store.index(index).keyPath),
        rows: keys.result.map((key, i) => ({ key, value: values.result[i] })),
      });
    }
    return stores;
  } finally {
    db.close();
  }
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
