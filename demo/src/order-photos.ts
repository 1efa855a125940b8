import type { Vault, VaultObject } from 'offline-vault';
import { PHOTO, PHOTO_ORDER } from './demo-app.js';

/** The photo of each order on this device (order id -> Sales.Photo object); the newest wins. */
export function photosByOrder(photos: readonly VaultObject[]): Map<string, VaultObject> {
  const byOrder = new Map<string, VaultObject>();
  for (const photo of photos) {
    const order = photo[PHOTO_ORDER];
    if (typeof order === 'string') byOrder.set(order, photo);
  }
  return byOrder;
}

/**
 * Stores `file` as the photo of order `orderId`: writes the contents (encrypted) first, then
 * creates or updates the order's Sales.Photo object with the file's name, size and type, so a
 * list showing the object always finds its contents. Both wait in the outbox for the next sync,
 * which uploads the contents before the object. Resolves the photo's id.
 */
export async function savePhoto(vault: Vault, orderId: string, file: File, existing: VaultObject | undefined): Promise<string> {
  const id = existing?.id ?? crypto.randomUUID();
  const values = { Name: file.name || 'photo', Size: file.size, MimeType: file.type || 'application/octet-stream', [PHOTO_ORDER]: orderId };
  await vault.files.put(PHOTO, id, file);
  if (existing === undefined) await vault.table(PHOTO).put({ id, ...values });
  else await vault.table(PHOTO).update(id, values);
  return id;
}
