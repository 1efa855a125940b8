// Raw IndexedDB scanner, run inside the page with page.evaluate(scanOrigin, canaries). It must stay
// self-contained (no imports, no outer variables): Playwright sends only the function's source.

/** Where a canary was seen. */
export interface ScanHit {
  db: string;
  store: string;
  /** `value`, `primary-key` or `index-key:<index name>`. */
  part: string;
  /** `string`, `utf-8`, `utf-16le` or `utf-16le+1` (odd byte offset). */
  encoding: string;
  canary: string;
}

export interface ScanResult {
  databases: string[];
  stores: string[];
  rows: number;
  indexEntries: number;
  /** Number of hits in total; `hits` holds the first 50. */
  hitCount: number;
  hits: ScanHit[];
  /** Distinct canaries seen. */
  found: string[];
  /** Hits per `<db>/<store>/<part>`. */
  hitsByPart: Record<string, number>;
}

/**
 * Reads every object store of every IndexedDB database of the origin through the raw API:
 * values, primary keys and index keys, walking objects and arrays; binary data (ArrayBuffer,
 * typed arrays, DataView, Blob) is decoded as UTF-8 and as UTF-16LE at both byte alignments.
 * Values that cannot be read by script (CryptoKey) are skipped.
 */
export async function scanOrigin(canaries: string[]): Promise<ScanResult> {
  const byLength = new Map<number, Set<string>>();
  for (const c of canaries) {
    const set = byLength.get(c.length) ?? new Set<string>();
    set.add(c);
    byLength.set(c.length, set);
  }
  const result: ScanResult = { databases: [], stores: [], rows: 0, indexEntries: 0, hitCount: 0, hits: [], found: [], hitsByPart: {} };
  const found = new Set<string>();
  const blobs: Array<{ blob: Blob; db: string; store: string; part: string }> = [];

  const checkText = (text: string, db: string, store: string, part: string, encoding: string): void => {
    for (const [length, set] of byLength) {
      for (let i = 0; i + length <= text.length; i++) {
        const piece = text.slice(i, i + length);
        if (!set.has(piece)) continue;
        result.hitCount++;
        found.add(piece);
        const where = `${db}/${store}/${part}`;
        result.hitsByPart[where] = (result.hitsByPart[where] ?? 0) + 1;
        if (result.hits.length < 50) result.hits.push({ db, store, part, encoding, canary: piece });
      }
    }
  };
  const checkBytes = (bytes: Uint8Array, db: string, store: string, part: string): void => {
    checkText(new TextDecoder('utf-8').decode(bytes), db, store, part, 'utf-8');
    checkText(new TextDecoder('utf-16le').decode(bytes), db, store, part, 'utf-16le');
    if (bytes.length > 1) checkText(new TextDecoder('utf-16le').decode(bytes.subarray(1)), db, store, part, 'utf-16le+1');
  };
  const walk = (value: unknown, db: string, store: string, part: string, seen: Set<object>): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') return checkText(value, db, store, part, 'string');
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      return checkText(String(value), db, store, part, 'string');
    }
    if (typeof value !== 'object') return;
    if (seen.has(value)) return;
    seen.add(value);
    if (value instanceof ArrayBuffer) return checkBytes(new Uint8Array(value), db, store, part);
    if (ArrayBuffer.isView(value)) {
      return checkBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), db, store, part);
    }
    if (value instanceof Blob) {
      blobs.push({ blob: value, db, store, part });
      return;
    }
    if (value instanceof Date) return checkText(value.toISOString(), db, store, part, 'string');
    if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) return;
    if (value instanceof Map) {
      for (const [k, v] of value) {
        walk(k, db, store, part, seen);
        walk(v, db, store, part, seen);
      }
      return;
    }
    if (value instanceof Set || Array.isArray(value)) {
      for (const v of value) walk(v, db, store, part, seen);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      checkText(k, db, store, part, 'string');
      walk(v, db, store, part, seen);
    }
  };
  const request = <T>(r: IDBRequest<T>): Promise<T> =>
    new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  // Visits every cursor position; `visit` runs synchronously inside the transaction.
  const eachCursor = <C extends IDBCursor>(r: IDBRequest<C | null>, visit: (c: C) => void): Promise<void> =>
    new Promise((resolve, reject) => {
      r.onerror = () => reject(r.error);
      r.onsuccess = () => {
        const cursor = r.result;
        if (cursor === null) return resolve();
        visit(cursor);
        cursor.continue();
      };
    });

  for (const info of await indexedDB.databases()) {
    const name = info.name;
    if (name === undefined) continue;
    result.databases.push(name);
    const db = await request(indexedDB.open(name));
    try {
      for (const storeName of Array.from(db.objectStoreNames)) {
        result.stores.push(`${name}/${storeName}`);
        // A transaction per pass: each one ends with its cursor, never waiting on anything else.
        const store = (): IDBObjectStore => db.transaction(storeName, 'readonly').objectStore(storeName);
        await eachCursor(store().openCursor(), (cursor) => {
          result.rows++;
          walk(cursor.primaryKey, name, storeName, 'primary-key', new Set());
          walk(cursor.value, name, storeName, 'value', new Set());
        });
        for (const indexName of Array.from(store().indexNames)) {
          await eachCursor(store().index(indexName).openKeyCursor(), (cursor) => {
            result.indexEntries++;
            walk(cursor.key, name, storeName, `index-key:${indexName}`, new Set());
          });
        }
      }
    } finally {
      db.close();
    }
  }
  for (const { blob, db, store, part } of blobs) checkBytes(new Uint8Array(await blob.arrayBuffer()), db, store, part);
  result.found = [...found];
  return result;
}
