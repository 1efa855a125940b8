import Dexie from 'dexie';
import { StorageError, ValidationError } from '../core/errors.js';
import { BUDGET_PREFIX, type BudgetRow } from './keyring-rows.js';
import { KEYRING_STORE } from './vault-database.js';

/** Invocation budget of record keys (crypto.md §3.5). */
export interface UsageBudgetOptions {
  /** Invocations reserved per lease (one readwrite transaction). @default 4096 */
  leaseSize?: number;
  /** Rotate the record key once this many invocations were leased. @default 2^31 */
  rotateAt?: number;
}

export interface UsageBudget {
  /** Counts `count` seals with generation `gen`: from a reservation, else the lease (leasing more when needed). */
  consume(gen: number, count: number): Promise<void> | undefined;
  /**
   * Sets `count` seals aside before a write transaction opens (leasing now if needed), so sealing
   * that overlaps the transaction never needs a lease: a lease is a readwrite transaction of its
   * own, which Chromium runs only after the open one, while that one waits for the seals.
   */
  reserve(gen: number, count: number): Promise<void> | undefined;
  /** Invocations leased so far for `gen` (as stored). */
  used(gen: number): Promise<number>;
}

/** SP 800-38D: at most 2^32 invocations per key with random IVs; we stop a lease short of it. */
const HARD_LIMIT = 2 ** 32;

/**
 * Leases invocations from `budget:record:<gen>` in `_keyring`. Invariants:
 * - a lease is one readwrite transaction that increments the stored count, so tabs and workers
 *   sharing the key never reuse the same share of the budget (unused leases are simply lost);
 * - leases of one generation are serialized in this context;
 * - past `rotateAt`, `onThreshold(gen)` is called (once per generation and context);
 * - past HARD_LIMIT minus one lease, sealing is refused with StorageError `key-exhausted` (and
 *   `onThreshold` is called if it was not yet, so a rotation starts).
 */
export function createUsageBudget(
  db: Dexie,
  options: UsageBudgetOptions,
  onThreshold: (gen: number) => void,
  inMemory: () => boolean = () => false,
): UsageBudget {
  const memoryCounts = new Map<number, number>();
  const leaseSize = options.leaseSize ?? 4096;
  const rotateAt = options.rotateAt ?? 2 ** 31;
  for (const [option, value] of [['leaseSize', leaseSize], ['rotateAt', rotateAt]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 2 ** 31) {
      throw new ValidationError('invalid-option', `rotation.${option} must be an integer from 1 to 2^31`, { option: `rotation.${option}` });
    }
  }
  const remaining = new Map<number, number>();
  const reserved = new Map<number, number>();
  const leasing = new Map<number, Promise<void>>();
  const signalled = new Set<number>();

  async function lease(gen: number, count: number): Promise<void> {
    const size = Math.max(leaseSize, count);
    const name = `${BUDGET_PREFIX}${gen}`;
    // Memory-only keys (ephemeral level) count in memory: nothing of them may reach the disk.
    const inv = inMemory()
      ? countInMemory(gen, size)
      : // Its own transaction even when a caller's transaction zone is active.
        await Dexie.ignoreTransaction(() => db.transaction('rw', [KEYRING_STORE], async () => {
      const row = (await db.table(KEYRING_STORE).get(name)) as BudgetRow | undefined;
      const before = row?.inv ?? 0;
      if (before + size > HARD_LIMIT - leaseSize) return -1;
      await db.table(KEYRING_STORE).put({ name, inv: before + size, blk: row?.blk ?? 0 } satisfies BudgetRow);
      return before + size;
    }));
    if (inv < 0) {
      // Also when this context never saw the threshold (a page opened past it): without the
      // signal nothing would rotate, and every later write would be refused.
      signal(gen);
      throw new StorageError('key-exhausted', 'The record key reached its usage limit; rotate keys before writing', { generation: gen });
    }
    remaining.set(gen, (remaining.get(gen) ?? 0) + size);
    if (inv >= rotateAt) signal(gen);
  }

  function signal(gen: number): void {
    if (signalled.has(gen)) return;
    signalled.add(gen);
    onThreshold(gen);
  }

  function countInMemory(gen: number, size: number): number {
    const before = memoryCounts.get(gen) ?? 0;
    if (before + size > HARD_LIMIT - leaseSize) return -1;
    memoryCounts.set(gen, before + size);
    return before + size;
  }

  /** Takes `count` from the leased share (leasing first when short); `keep` sets it aside as a reservation. */
  function take(gen: number, count: number, keep: boolean): Promise<void> | undefined {
    const settle = () => {
      remaining.set(gen, (remaining.get(gen) ?? 0) - count);
      if (keep) reserved.set(gen, (reserved.get(gen) ?? 0) + count);
    };
    if ((remaining.get(gen) ?? 0) >= count && !leasing.has(gen)) return void settle();
    return (async () => {
      for (;;) {
        const pending = leasing.get(gen);
        if (pending !== undefined) {
          await pending;
          continue;
        }
        if ((remaining.get(gen) ?? 0) >= count) return settle();
        const p = lease(gen, count).finally(() => leasing.delete(gen));
        leasing.set(gen, p);
        await p;
      }
    })();
  }

  const budget: UsageBudget = {
    consume(gen, count) {
      // Seals of a write whose budget was reserved before its transaction opened: never a lease
      // here, which would wait behind that very transaction.
      const held = reserved.get(gen) ?? 0;
      if (held >= count) {
        reserved.set(gen, held - count);
        return undefined;
      }
      return take(gen, count, false);
    },
    reserve(gen, count) {
      return take(gen, count, true);
    },
    async used(gen) {
      if (inMemory()) return memoryCounts.get(gen) ?? 0;
      const row = (await db.table(KEYRING_STORE).get(`${BUDGET_PREFIX}${gen}`)) as BudgetRow | undefined;
      return row?.inv ?? 0;
    },
  };
  return budget;
}
