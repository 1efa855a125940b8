/**
 * Asks the browser to keep this origin's storage (exempt from eviction). Only windows can ask
 * (`persist()` does not exist in workers); any failure means "could not ask": null.
 */
export async function requestPersistence(): Promise<boolean | null> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (typeof storage?.persist !== 'function' || typeof (globalThis as { document?: unknown }).document === 'undefined') return null;
  try {
    if (typeof storage.persisted === 'function' && (await storage.persisted())) return true;
    return await storage.persist();
  } catch {
    return null;
  }
}
