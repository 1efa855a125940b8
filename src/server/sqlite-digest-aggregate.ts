import type BetterSqlite3 from 'better-sqlite3';
import { MAX_DIGEST_BUCKETS } from '../core/visible-set-digest.js';

/*
 * SQLite has no XOR aggregate, so the digest query (visible-digest-sql.ts) calls
 * `ov_digest(tableId, bucket, dhi, dlo, lowByte, code)`: per visible row it adds the suffix
 * constant and XORs into one of 4096 buckets, in typed arrays. The constants are registered
 * under `tableId` for the duration of one query (`withDigestConstants`), so the SQL text and the
 * prepared statement stay the same across requests.
 */

/** Name of the aggregate; a SQLite store without it falls back to hashing in JS. */
export const SQLITE_DIGEST_AGGREGATE = 'ov_digest';

/** Constants per `code * 257 + lowByte`: high halves, low halves; NaN where no pattern is visible. */
export interface DigestConstants {
  readonly hi: Float64Array;
  readonly lo: Float64Array;
}

const registry = new Map<number, DigestConstants>();
let nextId = 1;

/** Runs `fn` with `constants` registered under a fresh id. */
export async function withDigestConstants<T>(constants: DigestConstants, fn: (id: number) => Promise<T>): Promise<T> {
  const id = nextId++;
  registry.set(id, constants);
  try {
    return await fn(id);
  } finally {
    registry.delete(id);
  }
}

interface State {
  n: number;
  stale: number;
  hi: Uint32Array;
  lo: Uint32Array;
}

/** The aggregate's result: `{ n, stale, hi, lo }` with 4096 buckets each, as JSON. */
export interface DigestAggregate {
  n: number;
  stale: number;
  hi: number[];
  lo: number[];
}

/** Registers `ov_digest` on a better-sqlite3 connection. */
export function registerDigestAggregate(db: BetterSqlite3.Database): void {
  // The typings allow one argument per step; the arity comes from `step.length` (7 here).
  const options = {
    start: (): State => ({ n: 0, stale: 0, hi: new Uint32Array(MAX_DIGEST_BUCKETS), lo: new Uint32Array(MAX_DIGEST_BUCKETS) }),
    step: (s: State, tableId: unknown, bucket: unknown, dhi: unknown, dlo: unknown, low: unknown, code: unknown): void => {
      const c = registry.get(Number(tableId));
      if (c === undefined) throw new Error('digest constants are not registered');
      const base = Number(code) * 257;
      if (Number.isNaN(c.hi[base] ?? Number.NaN)) return; // no read rule matches: invisible
      if (low === null || bucket === null) {
        s.stale++;
        return;
      }
      const i = base + Number(low);
      const chi = c.hi[i]!;
      const sum = Number(dlo) + c.lo[i]!;
      const k = Number(bucket);
      s.n++;
      s.hi[k] = (s.hi[k]! ^ (Number(dhi) + chi + Math.floor(sum / 4294967296))) >>> 0;
      s.lo[k] = (s.lo[k]! ^ sum) >>> 0;
    },
    result: (s: State): string => JSON.stringify({ n: s.n, stale: s.stale, hi: [...s.hi], lo: [...s.lo] }),
  };
  db.aggregate(SQLITE_DIGEST_AGGREGATE, options as unknown as Parameters<BetterSqlite3.Database['aggregate']>[1]);
}
