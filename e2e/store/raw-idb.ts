// Raw IndexedDB helpers run inside the page through page.evaluate. Each function is
// self-contained (Playwright sends only its source).

/** Deletes every row of `store` in database `db` (no vault code involved). */
export async function clearRawStore([db, store]: [string, string]): Promise<number> {
  const open = indexedDB.open(db);
  const conn = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const tx = conn.transaction(store, 'readwrite');
    const count = tx.objectStore(store).count();
    tx.objectStore(store).clear();
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return count.result;
  } finally {
    conn.close();
  }
}

/**
 * A byte-exact snapshot of every store of `db` except `skip`: `{ store: [[key, value]...] }` where
 * binary data becomes `hex:<bytes>` and CryptoKeys become a description of their properties.
 */
export async function snapshotRawDatabase([db, skip]: [string, string[]]): Promise<Record<string, string>> {
  const encode = (value: unknown): unknown => {
    if (value instanceof ArrayBuffer) value = new Uint8Array(value);
    if (ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return `${value.constructor.name}:${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    }
    if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) {
      return { cryptoKey: { type: value.type, extractable: value.extractable, algorithm: value.algorithm, usages: value.usages } };
    }
    if (Array.isArray(value)) return value.map(encode);
    if (value instanceof Date) return `date:${value.toISOString()}`;
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
    }
    return value;
  };
  const open = indexedDB.open(db);
  const conn = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const out: Record<string, string> = {};
    for (const store of Array.from(conn.objectStoreNames)) {
      if (skip.includes(store)) continue;
      const os = conn.transaction(store).objectStore(store);
      const keys = os.getAllKeys();
      const values = os.getAll();
      await new Promise<void>((resolve, reject) => {
        values.onsuccess = () => resolve();
        values.onerror = () => reject(values.error);
      });
      out[store] = JSON.stringify(keys.result.map((key, i) => [encode(key), encode(values.result[i])]));
    }
    return out;
  } finally {
    conn.close();
  }
}

/** Row count per store of `db`. */
export async function countRawRows(db: string): Promise<Record<string, number>> {
  const open = indexedDB.open(db);
  const conn = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const out: Record<string, number> = {};
    for (const store of Array.from(conn.objectStoreNames)) {
      const request = conn.transaction(store).objectStore(store).count();
      out[store] = await new Promise<number>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return out;
  } finally {
    conn.close();
  }
}
