import { openVaultFileReader, type VaultFileReader } from '../src/files/index.js';

/** File readers of the vaults a worker has served, one IndexedDB connection per vault. */
export interface VaultReaders {
  /** The reader of `vault`, or undefined when the vault has no database (yet). */
  get(vault: string): Promise<VaultFileReader | undefined>;
  /** Drops the in-memory keys of `vault`'s reader, if one is open (a page locked). */
  forgetKeys(vault: string): void;
}

/**
 * Keeps one reader per vault. Checklist: a reader whose connection closed (a page upgraded or
 * deleted the database) is replaced by a fresh one; a vault without a database is not
 * remembered (it may be created later); a failed open is not remembered either.
 */
export function createVaultReaders(open: (vault: string) => Promise<VaultFileReader | undefined> = openVaultFileReader): VaultReaders {
  const readers = new Map<string, Promise<VaultFileReader | undefined>>();
  return {
    async get(vault) {
      const cached = readers.get(vault);
      if (cached !== undefined) {
        const reader = await cached.catch(() => undefined);
        if (reader?.isOpen() === true) return reader;
        if (readers.get(vault) === cached) readers.delete(vault);
      }
      let pending = readers.get(vault);
      if (pending === undefined) {
        pending = open(vault);
        readers.set(vault, pending);
        pending.then(
          (reader) => {
            if (reader === undefined && readers.get(vault) === pending) readers.delete(vault);
          },
          () => {
            if (readers.get(vault) === pending) readers.delete(vault);
          },
        );
      }
      return pending;
    },
    forgetKeys(vault) {
      readers.get(vault)?.then(
        (reader) => reader?.forgetKeys(),
        () => undefined,
      );
    },
  };
}
