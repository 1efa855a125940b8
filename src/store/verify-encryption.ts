import { envelopeKeyId, isEnvelope } from '../crypto/index.js';
import { databaseName, FILE_CHUNKS_STORE, FILES_STORE, KEYRING_STORE, META_STORE, VERSIONS_STORE } from './vault-database.js';

/** What one object store holds, as an attacker with the profile would see it. */
export interface StoreReport {
  name: string;
  rows: number;
  /** Rows whose value is a sealed envelope (records, outbox, sync state) or an encrypted file part. */
  sealed: number;
  /** Rows stored in plaintext where a sealed value is expected: should be 0 in an encrypted vault. */
  unexpectedPlaintext: number;
  /** Rows that are plaintext by design (key handles, version tokens, the vault row, plain files). */
  plainByDesign: number;
  /** Record-key generations found in envelope headers. */
  keyIds: number[];
}

/** The audit of a vault's raw storage; `ok` when nothing is plaintext where it should be sealed. */
export interface EncryptionReport {
  database: string;
  encrypted: boolean;
  stores: StoreReport[];
  /** Every stored key handle is a non-extractable CryptoKey. */
  keysNonExtractable: boolean;
  ok: boolean;
}

/** Stores whose rows are plaintext by design (no user data: handles, ids, versions). */
const PLAIN_BY_DESIGN = new Set([KEYRING_STORE, VERSIONS_STORE]);


function openRaw(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function eachValue(db: IDBDatabase, store: string, visit: (value: unknown, key: IDBValidKey) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = db.transaction(store, 'readonly').objectStore(store).openCursor();
    req.onsuccess = () => {
      const cursor = req.result;
      if (cursor === null) return resolve();
      visit(cursor.value, cursor.key);
      cursor.continue();
    };
    req.onerror = () => reject(req.error);
  });
}

/**
 * Reads every object store of the vault's database through the raw IndexedDB API (not through
 * the SDK) and counts, per store, sealed values, plaintext where a sealed value is expected, and
 * the key generations in use: the browser equivalent of opening an encrypted SQLite file in a viewer.
 */
export async function verifyEncryption(factory: IDBFactory, vaultName: string, encrypted: boolean): Promise<EncryptionReport> {
  const name = databaseName(vaultName);
  const db = await openRaw(factory, name);
  try {
    const encryptedFiles = new Set<string>();
    const stores: StoreReport[] = [];
    let keysNonExtractable = true;
    const names = [...db.objectStoreNames].sort((a, b) => (a === FILES_STORE ? -1 : b === FILES_STORE ? 1 : a.localeCompare(b)));
    for (const store of names) {
      const report: StoreReport = { name: store, rows: 0, sealed: 0, unexpectedPlaintext: 0, plainByDesign: 0, keyIds: [] };
      const keyIds = new Set<number>();
      await eachValue(db, store, (value, key) => {
        report.rows++;
        const row = value as Record<string, unknown>;
        if (store === KEYRING_STORE) {
          // Device-level keys are stored CryptoKeys (must be non-extractable); passphrase and
          // passkey levels store only wrapped blobs; budget rows are counters.
          const key = row['key'];
          if (key !== undefined) {
            if (!(key instanceof CryptoKey) || key.extractable) keysNonExtractable = false;
            report.plainByDesign++;
          } else if (row['wrapped'] instanceof Uint8Array || row['vmk'] instanceof Uint8Array) report.sealed++;
          else report.plainByDesign++;
        } else if (PLAIN_BY_DESIGN.has(store) || (store === META_STORE && row['name'] === 'vault')) {
          report.plainByDesign++;
        } else if (store === FILES_STORE) {
          const header = row['header'];
          if (header instanceof Uint8Array && header[1] === 0x02) {
            report.sealed++;
            encryptedFiles.add(String(row['fileId']));
          } else report.plainByDesign++; // a file written while file encryption was off
        } else if (store === FILE_CHUNKS_STORE) {
          // Outbound key [fileId, index]; index -1 is a pending write's marker.
          const [fileId, index] = key as [string, number];
          if (index >= 0 && encryptedFiles.has(fileId)) report.sealed++;
          else report.plainByDesign++;
        } else if (isEnvelope(row['e'])) {
          report.sealed++;
          keyIds.add(envelopeKeyId(row['e'] as Uint8Array));
        } else if (encrypted) {
          report.unexpectedPlaintext++;
        } else {
          report.plainByDesign++;
        }
      });
      report.keyIds = [...keyIds].sort((a, b) => a - b);
      stores.push(report);
    }
    return {
      database: name,
      encrypted,
      stores: stores.sort((a, b) => a.name.localeCompare(b.name)),
      keysNonExtractable,
      ok: keysNonExtractable && stores.every((s) => s.unexpectedPlaintext === 0),
    };
  } finally {
    db.close();
  }
}
