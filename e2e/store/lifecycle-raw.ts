// Raw IndexedDB reads and edits for the encryption-lifecycle suites, run inside the page through
// page.evaluate (no vault code involved). Each function is self-contained: Playwright sends only
// its source.

/** The vault row of `_meta` as stored: level, primary generation and the persisted re-encryption. */
export interface RawMeta {
  encrypted: boolean;
  level: string | null;
  primary: number | null;
  rekey: { kind: string; done: number; total: number; store: number } | null;
}

/** What one store holds: rows, sealed rows (envelope `e`, no plaintext `d`), the rest, key ids. */
export interface RawStoreAudit {
  rows: number;
  sealed: number;
  plaintext: number;
  /** Index fields (`x_*`) that are not blind-index bytes. */
  plainIndexFields: number;
  /** Key generations of the envelopes (bytes 2..6 of `e`, big-endian). */
  keyIds: number[];
}

/** The `_meta` vault row of database `db`, or null before the vault was created. */
export async function readRawMeta(db: string): Promise<RawMeta | null> {
  const open = indexedDB.open(db);
  const conn = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const request = conn.transaction('_meta').objectStore('_meta').get('vault');
    const row = await new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result as Record<string, unknown> | undefined);
      request.onerror = () => reject(request.error);
    });
    if (row === undefined) return null;
    const rekey = row['rekey'] as NonNullable<RawMeta['rekey']> | undefined;
    return {
      encrypted: row['encrypted'] === true,
      level: typeof row['level'] === 'string' ? row['level'] : null,
      primary: typeof row['primary'] === 'number' ? row['primary'] : null,
      rekey: rekey === undefined ? null : { kind: rekey.kind, done: rekey.done, total: rekey.total, store: rekey.store },
    };
  } finally {
    conn.close();
  }
}

/** Audits `stores` of `db` row by row: sealed or not, and the key generation of each envelope. */
export async function auditRawStores([db, stores]: [string, string[]]): Promise<Record<string, RawStoreAudit>> {
  const open = indexedDB.open(db);
  const conn = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const out: Record<string, RawStoreAudit> = {};
    for (const store of stores) {
      const request = conn.transaction(store).objectStore(store).getAll();
      const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
        request.onerror = () => reject(request.error);
      });
      const audit: RawStoreAudit = { rows: rows.length, sealed: 0, plaintext: 0, plainIndexFields: 0, keyIds: [] };
      const keyIds = new Set<number>();
      for (const row of rows) {
        const e = row['e'];
        if (e instanceof Uint8Array && e.length > 6 && e[0] === 1 && e[1] === 1 && !('d' in row)) {
          audit.sealed++;
          keyIds.add(((e[2]! << 24) | (e[3]! << 16) | (e[4]! << 8) | e[5]!) >>> 0);
        } else audit.plaintext++;
        for (const [field, value] of Object.entries(row)) {
          if (field.startsWith('x_') && !(value instanceof Uint8Array)) audit.plainIndexFields++;
        }
      }
      audit.keyIds = [...keyIds].sort((a, b) => a - b);
      out[store] = audit;
    }
    return out;
  } finally {
    conn.close();
  }
}

/** Names of the `_keyring` rows of `db` (keys, slots, budgets), sorted. */
export async function rawKeyringNames(db: string): Promise<string[]> {
  const open = indexedDB.open(db);
  const conn = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const request = conn.transaction('_keyring').objectStore('_keyring').getAllKeys();
    const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return keys.map(String).sort();
  } finally {
    conn.close();
  }
}

/**
 * Sets the `credentialId` of passkey slot `slot` in `db` to `hex` (or, with `hex` null, to the
 * credential id of the same slot in database `from`); resolves with the previous id as hex.
 */
export async function setRawSlotCredential([db, slot, hex, from]: [string, string, string | null, string | null]): Promise<string> {
  const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const openDb = (name: string) =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  const done = <T>(request: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  let credentialId: Uint8Array;
  if (hex !== null) credentialId = Uint8Array.from(hex.match(/../g) ?? [], (x) => parseInt(x, 16));
  else {
    const source = await openDb(from!);
    try {
      const row = (await done(source.transaction('_keyring').objectStore('_keyring').get(slot))) as { credentialId: Uint8Array };
      credentialId = row.credentialId;
    } finally {
      source.close();
    }
  }
  const conn = await openDb(db);
  try {
    const tx = conn.transaction('_keyring', 'readwrite');
    const store = tx.objectStore('_keyring');
    const row = (await done(store.get(slot))) as { kind: string; credentialId: Uint8Array };
    if (row?.kind !== 'passkey') throw new Error(`${slot} is not a passkey slot`);
    const previous = toHex(row.credentialId);
    store.put({ ...row, credentialId });
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return previous;
  } finally {
    conn.close();
  }
}

/** Names of the origin's IndexedDB databases (`indexedDB.databases()`), sorted. */
export async function listDatabases(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '').sort();
}

/** The credential id (hex) of every passkey slot of `db`, by slot row name. */
export async function rawSlotCredentials(db: string): Promise<Record<string, string>> {
  const open = indexedDB.open(db);
  const conn = await new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const request = conn.transaction('_keyring').objectStore('_keyring').getAll();
    const rows = await new Promise<Array<{ name: string; kind?: string; credentialId?: Uint8Array }>>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return Object.fromEntries(rows.filter((r) => r.kind === 'passkey' && r.credentialId instanceof Uint8Array).map((r) => [r.name, hex(r.credentialId!)]));
  } finally {
    conn.close();
  }
}
