/**
 * Which key generation each open vault (tab, worker) seals with, as shared Web Locks named
 * `offline-vault/<vault>/gen/<g>` (generation 0: plaintext). A re-encryption deletes retired keys
 * only when no context holds their lock any more, so a tab that has not yet heard of a rotation
 * never seals a row under a key that is gone. Without Web Locks (Node) this is a no-op: one
 * context, nothing lags.
 */
export interface GenerationLock {
  /** Holds the lock of `gen` (releasing the one held before); undefined: hold none (locked). */
  hold(gen: number | undefined): void;
  release(): void;
}

function lockManager(): LockManager | undefined {
  return (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
}

function lockName(vault: string, gen: number): string {
  return `offline-vault/${vault}/gen/${gen}`;
}

export function createGenerationLock(vault: string): GenerationLock {
  const locks = lockManager();
  let held: { gen: number; release(): void } | undefined;
  const lock: GenerationLock = {
    hold(gen) {
      if (held?.gen === gen) return;
      lock.release();
      if (gen === undefined || locks === undefined) return;
      let release!: () => void;
      const until = new Promise<void>((resolve) => (release = resolve));
      void locks.request(lockName(vault, gen), { mode: 'shared' }, () => until).catch(() => undefined);
      held = { gen, release };
    },
    release() {
      held?.release();
      held = undefined;
    },
  };
  return lock;
}

/** Whether any context (this one included) still holds the lock of one of `gens`. */
export async function generationsInUse(vault: string, gens: readonly number[]): Promise<boolean> {
  const locks = lockManager();
  if (locks === undefined || gens.length === 0) return false;
  const names = new Set(gens.map((g) => lockName(vault, g)));
  const { held = [], pending = [] } = await locks.query();
  return [...held, ...pending].some((l) => l.name !== undefined && names.has(l.name));
}
