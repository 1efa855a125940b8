/** A listener of one event type. */
export type Listener<T> = (payload: T) => void;

/** A tiny typed event emitter: `on` returns its own unsubscribe function. */
export interface Emitter<Events extends Record<string, unknown>> {
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void;
  emit<K extends keyof Events>(type: K, payload: Events[K]): void;
  /** Drops every listener (on close). */
  clear(): void;
}

/**
 * Creates an emitter. A throwing listener does not stop the others nor the emitter's caller:
 * its error is rethrown asynchronously so it still shows up as an uncaught error.
 */
export function createEmitter<Events extends Record<string, unknown>>(): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  return {
    on(type, listener) {
      let set = listeners.get(type);
      if (set === undefined) listeners.set(type, (set = new Set()));
      const entry = listener as Listener<never>;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    emit(type, payload) {
      for (const listener of [...(listeners.get(type) ?? [])]) {
        try {
          (listener as Listener<typeof payload>)(payload);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
}
