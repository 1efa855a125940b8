import type { VaultObject } from '../app/index.js';

/** The result of `where(attribute).equals(...)` / `.anyOf(...)`. */
export interface VaultQuery {
  toArray(): Promise<VaultObject[]>;
  count(): Promise<number>;
  first(): Promise<VaultObject | undefined>;
}

/** Equality queries on a declared index (a blind index when the vault is encrypted). */
export interface WhereClause {
  equals(value: unknown): VaultQuery;
  anyOf(values: readonly unknown[]): VaultQuery;
}

/** An observable in the TC39 / Dexie shape. */
export interface VaultObservable<T> {
  subscribe(
    observer: ((value: T) => void) | { next?: (value: T) => void; error?: (error: unknown) => void },
  ): { unsubscribe(): void };
}

/**
 * The objects of one entity. Reads return `{ id, ...members }` with every member of the entity
 * (empty members read as null); writes validate against the app definition before anything is
 * written and record an outbox entry in the same transaction.
 */
export interface VaultTable {
  readonly entity: string;
  get(id: string): Promise<VaultObject | undefined>;
  bulkGet(ids: readonly string[]): Promise<(VaultObject | undefined)[]>;
  /** Creates or replaces an object; assigns a random id when it has none. Returns the id. */
  put(object: Record<string, unknown>): Promise<string>;
  bulkPut(objects: readonly Record<string, unknown>[]): Promise<string[]>;
  /** Changes some members of a stored object. Resolves false when there is no such object. */
  update(id: string, changes: Record<string, unknown>): Promise<boolean>;
  delete(id: string): Promise<void>;
  bulkDelete(ids: readonly string[]): Promise<void>;
  count(): Promise<number>;
  toArray(): Promise<VaultObject[]>;
  where(attribute: string): WhereClause;
}
