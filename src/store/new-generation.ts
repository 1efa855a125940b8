import type { AppDefinition } from '../app/index.js';
import { createFileKey, createIndexKey, createRecordKey } from '../crypto/index.js';
import { generateWrappableKey, unwrapDataKey, wrapDataKey } from '../crypto/key-wrap.js';
import { addKey, emptyMaterial, keyKind, keyName, VMK_SLOT, wrapPurpose, type KeyMaterial, type KeyPurpose, type KeyRow } from './keyring-rows.js';
import { indexNames } from './keyring-store.js';

/** Keyring rows of a new generation and the working keys they hold. */
export interface NewGeneration {
  rows: KeyRow[];
  material: KeyMaterial;
}

interface Wanted {
  purpose: KeyPurpose;
  gen: number;
  index?: string;
}

function wanted(app: AppDefinition, gen: number, fileGen: number | undefined): Wanted[] {
  const list: Wanted[] = [{ purpose: 'record', gen }];
  if (fileGen !== undefined) list.push({ purpose: 'file', gen: fileGen });
  for (const index of indexNames(app)) list.push({ purpose: 'index', gen, index });
  return list;
}

/**
 * Keys of record generation `gen` (record and index keys) and, when `fileGen` is given, a file key.
 * Without a VMK (level device): non-extractable keys stored as they are. With the VMK: each key is
 * generated extractable, wrapped by the VMK, and its working copy is unwrapped again as
 * non-extractable (crypto.md §3.2 provisioning); the extractable object is dropped at once.
 */
export async function newGeneration(
  app: AppDefinition,
  dbId: Uint8Array,
  gen: number,
  fileGen: number | undefined,
  vmk?: CryptoKey,
): Promise<NewGeneration> {
  const material = emptyMaterial();
  const rows = await Promise.all(
    wanted(app, gen, fileGen).map(async (w): Promise<KeyRow> => {
      const name = keyName(w.purpose, w.gen, w.index);
      if (vmk === undefined) {
        const key =
          w.purpose === 'record' ? (await createRecordKey(w.gen)).key : w.purpose === 'file' ? (await createFileKey(w.gen)).key : await createIndexKey();
        addKey(material, name, key);
        return { name, key };
      }
      const kind = keyKind(w.purpose);
      const ctx = { dbId, purpose: wrapPurpose(w.purpose, w.index), keyId: w.gen, slotId: VMK_SLOT };
      const wrapped = await wrapDataKey(vmk, await generateWrappableKey(kind, ctx.purpose), kind, ctx);
      addKey(material, name, await unwrapDataKey(vmk, wrapped, kind, ctx));
      return { name, wrapped };
    }),
  );
  return { rows, material };
}

/** `base` plus `extra` (a new generation joining the keys in memory). */
export function mergeMaterial(base: KeyMaterial, extra: KeyMaterial): KeyMaterial {
  const out = emptyMaterial();
  for (const m of [base, extra]) {
    for (const [g, k] of m.records) out.records.set(g, k);
    for (const [g, k] of m.files) out.files.set(g, k);
    for (const [name, byGen] of m.index) for (const [g, k] of byGen) addKey(out, keyName('index', g, name), k);
  }
  return out;
}
