import type { VaultObject } from '../app/index.js';
import type { PreparedLocalQuery } from './local-query.js';
import type { VaultObservable } from './vault-table.js';

type Observer<T> = Parameters<VaultObservable<T>['subscribe']>[0];

function sameResult(a: readonly VaultObject[] | undefined, b: readonly VaultObject[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  return a.every((o, i) => o.id === b[i]!.id && JSON.stringify(o) === JSON.stringify(b[i]));
}

/**
 * The result of `query`, emitted first when subscribed and again whenever `changes` signals that
 * one of the query's entities changed and the result differs from the last one emitted.
 *
 * Invariants:
 * - at most one run at a time; a signal during a run marks the result stale and one more run
 *   follows, so the last emission reflects the last change;
 * - nothing is emitted after unsubscribe; an error is reported once and ends the subscription;
 * - time alone does not re-run the query (time tokens are evaluated at each run).
 */
export function liveLocalQuery(query: PreparedLocalQuery, changes: VaultObservable<unknown>): VaultObservable<VaultObject[]> {
  return {
    subscribe(observer: Observer<VaultObject[]>) {
      const next = typeof observer === 'function' ? observer : observer.next?.bind(observer);
      const error = typeof observer === 'function' ? undefined : observer.error?.bind(observer);
      let closed = false;
      let running = false;
      let stale = false;
      let last: VaultObject[] | undefined;
      let source: { unsubscribe(): void } | undefined;
      const stop = () => {
        closed = true;
        source?.unsubscribe();
      };
      const refresh = async (): Promise<void> => {
        if (running) {
          stale = true;
          return;
        }
        running = true;
        try {
          do {
            stale = false;
            const result = await query.run();
            if (closed) return;
            if (!stale && !sameResult(last, result)) {
              last = result;
              next?.(result);
            }
          } while (stale && !closed);
        } catch (e) {
          if (!closed) {
            stop();
            error?.(e);
          }
        } finally {
          running = false;
        }
      };
      source = changes.subscribe({
        next: () => void refresh(),
        error: (e) => {
          if (!closed) {
            stop();
            error?.(e);
          }
        },
      });
      if (closed) source.unsubscribe();
      return { unsubscribe: stop };
    },
  };
}
