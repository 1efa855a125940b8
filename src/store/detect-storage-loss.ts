import type Dexie from 'dexie';
import type { AppDefinition } from '../app/index.js';
import { VERSIONS_STORE } from './vault-database.js';

/**
 * Storage the browser (or a person) removed under the vault, as found at open:
 * - `database-evicted`: this origin had the vault (marker), its database is new: everything
 *   local, unsynced changes included, is gone; the next sync downloads the server's copy again;
 * - `database-replaced`: the database belongs to another vault instance than the marker says
 *   (restored from elsewhere, or deleted and recreated by another tool);
 * - `data-lost`: the keys and the sync bookkeeping are there but an entity's rows are gone.
 * Keys gone while data remains is not a report but a KeyLostError at open.
 */
export interface StorageLoss {
  kind: 'database-evicted' | 'database-replaced' | 'data-lost';
  entities?: string[];
}

/** Where the marker lives (localStorage in a page; absent in workers and Node). */
export type MarkerStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function markerKey(vault: string): string {
  return `offline-vault/${vault}/db`;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The marker storage of this context, if any (localStorage can throw in sandboxed frames). */
export function defaultMarkerStorage(): MarkerStorage | undefined {
  try {
    return (globalThis as { localStorage?: MarkerStorage }).localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Compares the database with the marker left by earlier opens, then writes the current marker.
 * Never repairs anything by itself: it reports, and the app decides (usually: sync).
 */
export async function detectStorageLoss(
  db: Dexie,
  app: AppDefinition,
  vault: string,
  dbId: Uint8Array,
  createdNow: boolean,
  markers: MarkerStorage | undefined,
): Promise<StorageLoss[]> {
  const found: StorageLoss[] = [];
  const current = hex(dbId);
  const previous = markers?.getItem(markerKey(vault)) ?? null;
  if (previous !== null && previous !== current) found.push({ kind: createdNow ? 'database-evicted' : 'database-replaced' });
  try {
    markers?.setItem(markerKey(vault), current);
  } catch {
    // A full or disabled localStorage only costs the next open its eviction check.
  }
  const lost: string[] = [];
  for (const entity of app.entities.values()) {
    if (!entity.persistent) continue;
    // Server versions are kept for every synced object; rows gone while versions remain were removed underneath us.
    const versions = await db.table(VERSIONS_STORE).where('e').equals(entity.name).count();
    if (versions > 0 && (await db.table(entity.name).count()) === 0) lost.push(entity.name);
  }
  if (lost.length > 0) found.push({ kind: 'data-lost', entities: lost });
  return found;
}
