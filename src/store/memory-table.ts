import { normalizeAttribute, type EntityDef, type VaultObject } from '../app/index.js';
import { StorageError, ValidationError } from '../core/errors.js';
import { prepareDeletes, preparePuts, prepareUpdate, toVaultObject } from './prepare-writes.js';
import type { Members } from './record-codec.js';
import { indexText } from './record-codec.js';
import type { VaultObservable, VaultQuery, VaultTable } from './vault-table.js';

/** A memory-only table plus what the vault needs to observe and drop it. */
export interface MemoryTable extends VaultTable {
  observe(): VaultObservable<VaultObject[]>;
  clear(): void;
}

/**
 * A table of a memory-only entity (`persistent: false`): same API and validation as persistent
 * tables, but objects live in this Map only. They never reach IndexedDB, have no outbox entries
 * (they are never synchronized) and are gone on `close()`.
 */
export function createMemoryTable(entity: EntityDef, ensureOpen: () => void): MemoryTable {
  const objects = new Map<string, Members>();
  const listeners = new Set<(rows: VaultObject[]) => void>();
  const snapshot = (): VaultObject[] => [...objects].map(([id, m]) => toVaultObject(entity, id, m));
  const notify = () => {
    const rows = snapshot();
    for (const l of listeners) l(rows);
  };
  const guard = () => {
    ensureOpen();
  };
  const get = (id: string) => {
    const m = objects.get(id);
    return m === undefined ? undefined : toVaultObject(entity, id, m);
  };
  const query = (attribute: string, values: readonly unknown[]): VaultQuery => {
    const attr = entity.attributes.get(attribute);
    if (attr === undefined || !entity.indexes.some((i) => i.attribute === attribute)) {
      throw new ValidationError('not-indexed', `${entity.name}.${attribute} is not a declared index`, { entity: entity.name, member: attribute });
    }
    const wanted = new Set(values.map((v) => indexText(normalizeAttribute(attr, v, { entity: entity.name, member: attribute }))));
    const run = async () => {
      guard();
      return snapshot().filter((o) => wanted.has(indexText(o[attribute])));
    };
    return { toArray: run, count: async () => (await run()).length, first: async () => (await run())[0] };
  };

  const self: MemoryTable = {
    entity: entity.name,
    async get(id) {
      guard();
      return get(id);
    },
    async bulkGet(ids) {
      guard();
      return ids.map(get);
    },
    async put(object) {
      return (await self.bulkPut([object]))[0]!;
    },
    async bulkPut(list) {
      guard();
      const ops = preparePuts(entity, list);
      for (const op of ops) if (op.kind === 'put') objects.set(op.id, op.members);
      notify();
      return ops.map((op) => op.id);
    },
    async update(id, changes) {
      guard();
      const op = prepareUpdate(entity, id, changes);
      const prior = objects.get(id);
      if (prior === undefined || op.kind !== 'update') return false;
      objects.set(id, { ...prior, ...op.changes });
      notify();
      return true;
    },
    async delete(id) {
      await self.bulkDelete([id]);
    },
    async bulkDelete(ids) {
      guard();
      for (const op of prepareDeletes(entity, ids)) objects.delete(op.id);
      notify();
    },
    async count() {
      guard();
      return objects.size;
    },
    async toArray() {
      guard();
      return snapshot();
    },
    where: (attribute) => ({ equals: (v) => query(attribute, [v]), anyOf: (vs) => query(attribute, vs) }),
    observe() {
      return {
        subscribe(observer) {
          const next = typeof observer === 'function' ? observer : observer.next?.bind(observer);
          if (next === undefined) return { unsubscribe() {} };
          listeners.add(next);
          queueMicrotask(() => listeners.has(next) && next(snapshot()));
          return { unsubscribe: () => void listeners.delete(next) };
        },
      };
    },
    clear() {
      objects.clear();
      listeners.clear();
    },
  };
  return self;
}

export function closedError(name: string): StorageError {
  return new StorageError('closed', `Vault "${name}" is closed`, { vault: name });
}
