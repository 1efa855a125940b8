import { FILE_CHUNKS_STORE, FILES_STORE } from '../store/vault-database.js';
import type { FileEnv } from './file-env.js';
import { allChunks, chunkKey, chunksTable, filesTable, MARKER_INDEX, type ChunkKey, type PendingMarker } from './file-format.js';

async function nextFileId(env: FileEnv, after: string | undefined): Promise<string | undefined> {
  const table = chunksTable(env.db);
  const keys = (
    after === undefined ? await table.orderBy(':id').limit(1).primaryKeys() : await table.where(':id').above([after, Infinity]).limit(1).primaryKeys()
  ) as ChunkKey[];
  return keys[0]?.[0];
}

/**
 * Deletes the chunks of every file version that no committed row references and no live write
 * owns: what a crash or a quota error left behind. Returns the number of versions collected.
 * Checklist:
 * - distinct fileIds are found by skipping from [fileId, +Infinity] to the next key, one small
 *   read per version, never loading chunk bodies;
 * - each decision and its delete run in one transaction over `_files` and `_fileChunks`, so a
 *   write that commits concurrently is either seen as referenced or has not committed yet;
 * - a version with a pending marker is kept while this instance writes it or its lease is fresh
 *   (another tab writing); writers renew the lease every batch and re-check the marker at commit.
 */
export async function collectGarbage(env: FileEnv): Promise<number> {
  const { db } = env;
  let collected = 0;
  let fileId = await nextFileId(env, undefined);
  while (fileId !== undefined) {
    const current = fileId;
    if (!env.inFlight.has(current)) {
      const removed = await db.transaction('rw', [FILES_STORE, FILE_CHUNKS_STORE], async () => {
        if ((await filesTable(db).where('fileId').equals(current).count()) > 0) return false;
        const marker = (await chunksTable(db).get(chunkKey(current, MARKER_INDEX))) as PendingMarker | undefined;
        if (env.inFlight.has(current)) return false;
        if (marker !== undefined && env.now() - marker.lease < env.staleWriteMs) return false;
        await allChunks(db, current).delete();
        return true;
      });
      if (removed) collected++;
    }
    fileId = await nextFileId(env, current);
  }
  return collected;
}
