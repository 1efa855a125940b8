import { BadCredentialsError, IntegrityError } from '../core/errors.js';
import type { KeySet } from '../crypto/index.js';
import { unwrapDataKey, type DataKeyKind } from '../crypto/key-wrap.js';

/**
 * `_keyring` layout. Data keys come in generations g = 1, 2, ...:
 * `record:<g>`, `file:<g>`, `index:<Entity>/<Attr>` (g = 1) or `index:<Entity>/<Attr>@<g>`.
 * At level "device" a row holds the non-extractable CryptoKey (`key`). At "passphrase" and
 * "passkey" it holds only `wrapped`: the key wrapped by the vault master key (VMK, slot id 0 in
 * the blob). Each unlock slot `slot:<n>` wraps the VMK under its own KEK, so a passphrase change
 * rewraps one blob and a rotation wraps new keys without asking for every credential.
 * Usage budgets are rows `budget:record:<g>`.
 */
export interface KeyRow {
  name: string;
  key?: CryptoKey;
  wrapped?: Uint8Array;
}

/** Slot id written in data-key blobs wrapped by the VMK. */
export const VMK_SLOT = 0;

/** An unlock slot: how its KEK is derived, and the VMK wrapped under it. */
export type SlotRow = { name: string; id: number; created: string; vmk: Uint8Array } & (
  | { kind: 'passphrase'; salt: Uint8Array; iterations: number }
  | { kind: 'passkey'; credentialId: Uint8Array; prfSalt: Uint8Array }
);

/** Invocations and 16-byte blocks leased for one record key generation (crypto.md §3.5). */
export interface BudgetRow {
  name: string;
  inv: number;
  blk: number;
}

export const RECORD_PREFIX = 'record:';
export const FILE_PREFIX = 'file:';
export const INDEX_PREFIX = 'index:';
export const SLOT_PREFIX = 'slot:';
export const BUDGET_PREFIX = 'budget:record:';

export type KeyPurpose = 'record' | 'file' | 'index';

/** The parsed name of a data-key row, or undefined for slots, budgets and unknown rows. */
export function parseKeyName(name: string): { purpose: KeyPurpose; gen: number; index?: string } | undefined {
  if (name.startsWith(RECORD_PREFIX)) return { purpose: 'record', gen: Number(name.slice(RECORD_PREFIX.length)) };
  if (name.startsWith(FILE_PREFIX)) return { purpose: 'file', gen: Number(name.slice(FILE_PREFIX.length)) };
  if (name.startsWith(INDEX_PREFIX)) {
    const rest = name.slice(INDEX_PREFIX.length);
    const at = rest.lastIndexOf('@');
    return at < 0 ? { purpose: 'index', gen: 1, index: rest } : { purpose: 'index', gen: Number(rest.slice(at + 1)), index: rest.slice(0, at) };
  }
  return undefined;
}

/** The row name of a data key. */
export function keyName(purpose: KeyPurpose, gen: number, index?: string): string {
  if (purpose === 'index') return gen === 1 ? `${INDEX_PREFIX}${index!}` : `${INDEX_PREFIX}${index!}@${gen}`;
  return `${purpose === 'record' ? RECORD_PREFIX : FILE_PREFIX}${gen}`;
}

/** What a wrapped key's AAD names as its purpose. */
export function wrapPurpose(purpose: KeyPurpose, index?: string): string {
  return purpose === 'index' ? `index:${index!}` : purpose;
}

export function keyKind(purpose: KeyPurpose): DataKeyKind {
  return purpose === 'index' ? 'hmac' : 'aes-gcm';
}

/** Every data key of a vault in memory: by generation, and index keys by name then generation. */
export interface KeyMaterial {
  records: Map<number, CryptoKey>;
  files: Map<number, CryptoKey>;
  index: Map<string, Map<number, CryptoKey>>;
}

export function emptyMaterial(): KeyMaterial {
  return { records: new Map(), files: new Map(), index: new Map() };
}

export function addKey(material: KeyMaterial, name: string, key: CryptoKey): void {
  const parsed = parseKeyName(name);
  if (parsed === undefined || !Number.isInteger(parsed.gen) || parsed.gen < 1) return;
  if (parsed.purpose === 'record') material.records.set(parsed.gen, key);
  else if (parsed.purpose === 'file') material.files.set(parsed.gen, key);
  else {
    let byGen = material.index.get(parsed.index!);
    if (byGen === undefined) material.index.set(parsed.index!, (byGen = new Map()));
    byGen.set(parsed.gen, key);
  }
}

/** Key material from device-level rows (CryptoKeys stored as they are). */
export function deviceMaterial(rows: readonly KeyRow[]): KeyMaterial {
  const material = emptyMaterial();
  for (const row of rows) if (row.key !== undefined) addKey(material, row.name, row.key);
  return material;
}

/**
 * Unwraps every VMK-wrapped data key into non-extractable working copies, and adds the keys of
 * generations still stored at device level (a level change in progress). A blob that fails its
 * tag fails the whole unwrap (IntegrityError `wrapped-key-invalid`): nothing is kept from a partial one.
 */
export async function unwrapMaterial(rows: readonly KeyRow[], vmk: CryptoKey, dbId: Uint8Array): Promise<KeyMaterial> {
  const material = emptyMaterial();
  await Promise.all(
    rows.map(async (row) => {
      const parsed = parseKeyName(row.name);
      if (parsed === undefined) return;
      if (row.key !== undefined) return addKey(material, row.name, row.key);
      if (row.wrapped === undefined) return;
      const { purpose, gen, index } = parsed;
      let key: CryptoKey;
      try {
        key = await unwrapDataKey(vmk, row.wrapped, keyKind(purpose), { dbId, slotId: VMK_SLOT, purpose: wrapPurpose(purpose, index), keyId: gen });
      } catch (error) {
        // The VMK already proved the credential right: a data key that fails its tag was altered
        // or moved, and asking the user again would not help.
        if (!(error instanceof BadCredentialsError)) throw error;
        throw new IntegrityError('wrapped-key-invalid', 'A wrapped data key of the vault fails verification', { key: row.name }, { cause: error });
      }
      addKey(material, row.name, key);
    }),
  );
  return material;
}

/**
 * The KeySet the codecs use: record keys of every generation (decrypt), the primary generation's
 * index keys (write) and the older ones (lookups), and the newest file key.
 */
export function toKeySet(dbId: Uint8Array, material: KeyMaterial, primary: number): KeySet | undefined {
  const record = material.records.get(primary);
  if (record === undefined) return undefined;
  const index = new Map<string, CryptoKey>();
  const olderIndex = new Map<string, CryptoKey[]>();
  for (const [name, byGen] of material.index) {
    const current = byGen.get(primary);
    if (current !== undefined) index.set(name, current);
    const older = [...byGen].filter(([g]) => g !== primary).map(([, k]) => k);
    if (older.length > 0) olderIndex.set(name, older);
  }
  const fileGen = material.files.size === 0 ? 0 : Math.max(...material.files.keys());
  return {
    dbId,
    record: { primary: { keyId: primary, key: record }, all: material.records },
    index,
    olderIndex,
    // A vault without a file key yet gets one from the file store on first encrypted file.
    file: { keyId: fileGen, key: material.files.get(fileGen) ?? record },
  };
}
