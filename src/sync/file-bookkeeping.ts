import type { Dexie, Table } from 'dexie';
import { VERSIONS_STORE } from '../store/vault-database.js';

/*
 * File-sync bookkeeping, one plain row per object id in `_versions` (the store of server versions:
 * ids and version tokens only, plaintext by design), under `e = FILES_MARK` so that no entity's
 * version queries see it. No crypto is needed to read or write it, so it can be written inside
 * the file store's commit transaction.
 */

/** `e` of file-sync rows in `_versions`. */
export const FILES_MARK = '#files';

/** The sync state of one object's contents on this device. */
export interface FileSyncRow {
  k: string;
  e: typeof FILES_MARK;
  entity: string;
  id: string;
  /** Set by every local `put` (a new random token each time): contents not yet uploaded. */
  dirty?: string;
  /** The upload in progress of local file version `fileId` (resumed while the version is unchanged). */
  upload?: { uploadId: string; fileId: string };
  /** Server content version the local copy holds (absent: never downloaded nor uploaded). */
  local?: string;
  /** The local state is known to be current (cleared when a sync brings a changed object). */
  fresh?: boolean;
}

export const fileSyncKey = (id: string): string => `file\u0000${id}`;
export const fileSyncTable = (db: Dexie): Table<FileSyncRow, string> => db.table(VERSIONS_STORE);

/** Reads one row. */
export function getFileSync(db: Dexie, id: string): Promise<FileSyncRow | undefined> {
  return fileSyncTable(db).get(fileSyncKey(id));
}

/** Every row with contents not yet uploaded. */
export async function dirtyFiles(db: Dexie): Promise<FileSyncRow[]> {
  return (await fileSyncTable(db).where('e').equals(FILES_MARK).toArray()).filter((r) => r.dirty !== undefined);
}

/** Marks a local write (call inside the write's transaction, which must include `_versions`). */
export async function markDirty(db: Dexie, entity: string, id: string): Promise<void> {
  const t = fileSyncTable(db);
  const old = await t.get(fileSyncKey(id));
  const { upload: _dropped, ...rest } = old ?? { k: fileSyncKey(id), e: FILES_MARK, entity, id };
  await t.put({ ...rest, entity, dirty: globalThis.crypto.randomUUID(), fresh: true });
}

/** Read-modify-write of one row in its own transaction (`change` returns the new row, or null to delete). */
export async function updateFileSync(db: Dexie, id: string, change: (row: FileSyncRow | undefined) => FileSyncRow | null | undefined): Promise<void> {
  await db.transaction('rw', [VERSIONS_STORE], async () => {
    const t = fileSyncTable(db);
    const next = change(await t.get(fileSyncKey(id)));
    if (next === null) await t.delete(fileSyncKey(id));
    else if (next !== undefined) await t.put(next);
  });
}

/** A fresh row for `entity`/`id`. */
export function newFileSyncRow(entity: string, id: string): FileSyncRow {
  return { k: fileSyncKey(id), e: FILES_MARK, entity, id };
}
