import { digestBucketCountFor, MAX_DIGEST_BUCKETS } from '../core/visible-set-digest.js';
import type { VisibleSetDigest } from '../core/sync-protocol.js';
import { quoteIdent, ID_COLUMN } from '../xpath/index.js';
import { flagColumn, flagColumns, grantsRead, profileCondition, readCondition, rightsOfRow, versionToken, type AccessContext, type EntityAccess } from './access-sql.js';
import { BUCKET_COLUMN, DIGEST_HI_COLUMN, DIGEST_LO_COLUMN, DIGEST_LOW_BYTE_COLUMN, suffixTable } from './digest-columns.js';
import { VERSION_COLUMN } from './ensure-schema.js';
import { SQLITE_DIGEST_AGGREGATE, withDigestConstants, type DigestAggregate, type DigestConstants } from './sqlite-digest-aggregate.js';
import { SqlBuilder, type SqlExecutor, type SqlRow } from './sync-store.js';

/*
 * The visible-set digest computed inside the database from the bookkeeping columns of
 * digest-columns.ts: per row the rule pattern (which of the user's read rules match) selects the
 * version suffix, whose constant is added to the row's stored value, and the result is XORed per
 * bucket (PostgreSQL: bit_xor over 4096 groups; SQLite: the `ov_digest` aggregate of
 * sqlite-digest-aggregate.ts). No visible row is sent to JS. Returns null when it cannot be used
 * (too many rule patterns, or visible rows without bookkeeping columns); the caller then hashes in JS.
 */

/** Most rules with an XPath whose match changes the readable members (2^n patterns in the table). */
const MAX_VARIABLE_RULES = 4;
/** Low-byte placeholder of a row without bookkeeping columns (counted, never joined with a constant). */
const STALE = 256;
const MASK32 = 4294967295;

/** The rule pattern of a row as a number (bit j: variable read rule j matches), with its suffixes. */
interface Patterns {
  /** SQL of the pattern code (appends parameters). */
  code(b: SqlBuilder): string;
  /** Version suffix per pattern code of visible rows. */
  suffixes: Map<number, string>;
  /** Number of rules whose XPath decides the pattern (codes are below 2^variableRules). */
  variableRules: number;
}

function patternsOf(ac: AccessContext, ea: EntityAccess): Patterns | null {
  if (ea.open) return { code: () => '0', suffixes: new Map([[0, rightsOfRow(ac.app, ea, {}).tokenSuffix]]), variableRules: 0 };
  const reading = ea.rules.map((_r, i) => i).filter((i) => grantsRead(ea.rules[i]!));
  const variable = reading.filter((i) => ea.conds[i] !== null);
  const constant = reading.filter((i) => ea.conds[i] === null);
  if (variable.length > MAX_VARIABLE_RULES) return null;
  const suffixes = new Map<number, string>();
  for (let code = 0; code < 1 << variable.length; code++) {
    const matched = new Set([...constant, ...variable.filter((_i, j) => (code & (1 << j)) !== 0)]);
    if (matched.size === 0) continue; // no read rule matches: invisible
    const row: SqlRow = {};
    ea.rules.forEach((_r, i) => (row[flagColumn(i)] = matched.has(i) ? 1 : 0));
    suffixes.set(code, rightsOfRow(ac.app, ea, row).tokenSuffix);
  }
  const code = (b: SqlBuilder): string =>
    variable.length === 0 ? '0' : variable.map((i, j) => `(CASE WHEN ${b.frag(ea.conds[i]!)} THEN ${1 << j} ELSE 0 END)`).join(' + ');
  return { code, suffixes, variableRules: variable.length };
}

/** The suffix constants per `code * 257 + lowByte` (NaN: invisible pattern; lowByte STALE: 0). */
function constantsOf(variableRules: number, suffixes: Map<number, string>): DigestConstants {
  const size = (1 << variableRules) * 257;
  const hi = new Float64Array(size).fill(Number.NaN);
  const lo = new Float64Array(size).fill(Number.NaN);
  for (const [code, suffix] of suffixes) {
    suffixTable(suffix).forEach(([h, l], low) => {
      hi[code * 257 + low] = h;
      lo[code * 257 + low] = l;
    });
    hi[code * 257 + STALE] = 0;
    lo[code * 257 + STALE] = 0;
  }
  return { hi, lo };
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The digest from per-bucket XORs over 4096 buckets (folded: bucket = fnv1a32(id) & (count - 1)). */
function fold(count: number, hi: ArrayLike<number>, lo: ArrayLike<number>): VisibleSetDigest {
  const bucketCount = digestBucketCountFor(count);
  const his = new Uint32Array(bucketCount);
  const los = new Uint32Array(bucketCount);
  for (let k = 0; k < MAX_DIGEST_BUCKETS; k++) {
    const b = k & (bucketCount - 1);
    his[b] = (his[b]! ^ (hi[k] ?? 0)) >>> 0;
    los[b] = (los[b]! ^ (lo[k] ?? 0)) >>> 0;
  }
  const buckets: string[] = [];
  for (let b = 0; b < bucketCount; b++) buckets.push(hex8(his[b]!) + hex8(los[b]!));
  return { bucketCount, buckets };
}

/** The digest of the user's visible set of `ea.entity` (read rules AND sync profile), or null (see above). */
export async function sqlVisibleDigest(tx: SqlExecutor, ac: AccessContext, ea: EntityAccess): Promise<VisibleSetDigest | null> {
  const patterns = patternsOf(ac, ea);
  if (patterns === null) return null;
  const d = ac.dialect;
  const q = (n: string): string => quoteIdent(n, d);
  const t = q(ea.alias);
  const col = (n: string): string => `${t}.${q(n)}`;
  const constants = constantsOf(patterns.variableRules, patterns.suffixes);
  const b = new SqlBuilder(d);
  if (d === 'sqlite') {
    return withDigestConstants(constants, async (id) => {
      const sql =
        `SELECT ${SQLITE_DIGEST_AGGREGATE}(${b.p(id)}, ${col(BUCKET_COLUMN)}, ${col(DIGEST_HI_COLUMN)}, ${col(DIGEST_LO_COLUMN)}, ` +
        `${col(DIGEST_LOW_BYTE_COLUMN)}, ${patterns.code(b)}) AS d FROM ${q(ea.entity)} AS ${t} WHERE ${profileCondition(b, ac, ea.entity, ea.alias)}`;
      let rows: SqlRow[];
      try {
        rows = await tx.all(sql, b.params);
      } catch (error) {
        // A SQLite store that did not register the aggregate: hash in JS instead.
        if (error instanceof Error && error.message.includes(`no such function: ${SQLITE_DIGEST_AGGREGATE}`)) return null;
        throw error;
      }
      const r = JSON.parse(String(rows[0]?.['d'])) as DigestAggregate;
      return r.stale > 0 ? null : fold(r.n, r.hi, r.lo);
    });
  }
  // PostgreSQL: the constants travel as two bigint[] parameters, indexed per row; the subquery is a
  // planning fence (OFFSET 0) so each rule condition runs once per row.
  // Aggregate FILTERs rather than a WHERE: the planner then expects every row and hashes the 4096 groups.
  const visible = `x.code IN (${[...patterns.suffixes.keys()].join(', ')})`;
  const his = b.p([...constants.hi].map((x) => (Number.isNaN(x) ? 0 : x)));
  const los = b.p([...constants.lo].map((x) => (Number.isNaN(x) ? 0 : x)));
  const i = 'x.code * 257 + x.l + 1';
  const inner =
    `SELECT ${col(BUCKET_COLUMN)} AS b, ${col(DIGEST_HI_COLUMN)} AS dhi, ${col(DIGEST_LO_COLUMN)} AS dlo, ` +
    `COALESCE(${col(DIGEST_LOW_BYTE_COLUMN)}, ${STALE}) AS l, ${patterns.code(b)} AS code ` +
    `FROM ${q(ea.entity)} AS ${t} WHERE ${profileCondition(b, ac, ea.entity, ea.alias)} OFFSET 0`;
  const sql =
    `SELECT x.b AS k, count(*) FILTER (WHERE ${visible}) AS n, ` +
    `count(*) FILTER (WHERE ${visible} AND x.l = ${STALE}) AS stale, ` +
    `bit_xor((x.dhi + (${his}::bigint[])[${i}] + ((x.dlo + (${los}::bigint[])[${i}]) >> 32)) & ${MASK32}) FILTER (WHERE ${visible}) AS hi, ` +
    `bit_xor((x.dlo + (${los}::bigint[])[${i}]) & ${MASK32}) FILTER (WHERE ${visible}) AS lo ` +
    `FROM (${inner}) AS x GROUP BY x.b`;
  // One aggregate over every row: JIT compilation would cost more than it saves (setting ends with the transaction).
  await tx.run('SET LOCAL jit = off');
  const rows = await tx.all(sql, b.params);
  const hi = new Array<number>(MAX_DIGEST_BUCKETS).fill(0);
  const lo = new Array<number>(MAX_DIGEST_BUCKETS).fill(0);
  let count = 0;
  for (const r of rows) {
    if (Number(r['stale']) > 0) return null;
    if (Number(r['n']) === 0) continue;
    if (r['k'] === null) return null;
    count += Number(r['n']);
    hi[Number(r['k'])] = Number(r['hi']);
    lo[Number(r['k'])] = Number(r['lo']);
  }
  return fold(count, hi, lo);
}

/** The visible objects (id → version token) whose bucket is one of `buckets` (reconciliation). */
export async function visibleInBuckets(tx: SqlExecutor, ac: AccessContext, ea: EntityAccess, bucketCount: number, buckets: readonly number[]): Promise<Map<string, string>> {
  const d = ac.dialect;
  const q = (n: string): string => quoteIdent(n, d);
  const t = q(ea.alias);
  const b = new SqlBuilder(d);
  const wanted = [...new Set(buckets)].filter((k) => Number.isInteger(k) && k >= 0 && k < bucketCount);
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  // Bucket indexes are validated integers: inlined, so thousands of them never hit parameter limits.
  const inBuckets = wanted.length === bucketCount ? '' : ` AND (${t}.${q(BUCKET_COLUMN)} & ${bucketCount - 1}) IN (${wanted.join(', ')})`;
  const sql =
    `SELECT ${t}.${q(ID_COLUMN)}, ${t}.${q(VERSION_COLUMN)}${flagColumns(b, ea)} FROM ${q(ea.entity)} AS ${t} ` +
    `WHERE ${readCondition(b, ea)} AND ${profileCondition(b, ac, ea.entity, ea.alias)}${inBuckets}`;
  for (const row of await tx.all(sql, b.params)) {
    out.set(String(row[ID_COLUMN]), versionToken(Number(row[VERSION_COLUMN]), rightsOfRow(ac.app, ea, row)));
  }
  return out;
}
