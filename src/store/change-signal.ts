import type Dexie from 'dexie';
import { liveQuery } from 'dexie';
import type { VaultObservable } from './vault-table.js';

/** A source of "something changed" notifications (memory-only tables). */
interface Observable {
  observe(): VaultObservable<unknown>;
}

/**
 * Emits once when subscribed and again after any committed change to one of `stores` (in this tab
 * or another: Dexie's liveQuery underneath) or to one of the `memory` tables. Reads only primary
 * keys, never values, so it decrypts nothing; the subscriber re-runs its own query.
 */
export function changeSignal(db: Dexie, stores: readonly string[], memory: readonly Observable[]): VaultObservable<unknown> {
  const sources: VaultObservable<unknown>[] = memory.map((m) => m.observe());
  if (stores.length > 0) {
    sources.push(liveQuery(() => Promise.all(stores.map((s) => db.table(s).toCollection().primaryKeys()))) as unknown as VaultObservable<unknown>);
  }
  return {
    subscribe(observer) {
      const next = typeof observer === 'function' ? observer : observer.next?.bind(observer);
      const error = typeof observer === 'function' ? undefined : observer.error?.bind(observer);
      const subs = sources.map((s) => s.subscribe({ next: (v) => next?.(v), error: (e) => error?.(e) }));
      return { unsubscribe: () => subs.forEach((s) => s.unsubscribe()) };
    },
  };
}
