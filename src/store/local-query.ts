import type { AppDefinition, AssociationDef, VaultObject } from '../app/index.js';
import { ValidationError, VaultError } from '../core/errors.js';
import { isTimeZone } from '../xpath/check-xpath.js';
import { compileXPathAst } from '../xpath/compile-xpath.js';
import { parseXPath } from '../xpath/parse-xpath.js';
import type { XPathContext } from '../xpath/xpath-context.js';
import { planLocalQuery, type LocalQueryPlan } from './plan-local-query.js';
import type { VaultTable } from './vault-table.js';

/** The user a constraint's `[%CurrentUser%]` names. */
export interface QueryUser {
  readonly id: string;
  readonly roles: readonly string[];
}

/** Options of `vault.query` / `vault.live` with a constraint. */
export interface LocalQueryOptions {
  /** Values of `$Name` variables (an object `{ id }` compares by its id; null acts as `empty`). */
  variables?: Record<string, unknown>;
  /** The clock for time tokens (`[%CurrentDateTime%]`, `[%BeginOfCurrentDay%]`...). Default: now. */
  now?: Date | (() => Date);
  /** IANA zone for `BeginOf...` tokens and date functions without a zone. Default: the device's zone. */
  timeZone?: string;
  /** The user for `[%CurrentUser%]`; default: the vault's user when known (else the token is empty). */
  user?: QueryUser | null;
  /** Id for `[%CurrentObject%]`. */
  currentObject?: string;
}

/** What a local query needs from its vault. */
export interface LocalQueryHost {
  readonly app: AppDefinition;
  table(entity: string): VaultTable;
  /** The vault's user when known (the sync engine names it), else null. */
  user(): QueryUser | null;
}

/** A checked, compiled and planned query; `run` reads and evaluates it (again on every call). */
export interface PreparedLocalQuery {
  readonly entity: string;
  readonly plan: LocalQueryPlan;
  /** Every entity whose objects the result depends on (the queried one first). */
  readonly entities: readonly string[];
  run(): Promise<VaultObject[]>;
}

type Resolve = NonNullable<XPathContext['resolve']>;
const NONE: readonly VaultObject[] = Object.freeze([]);

/** The device's IANA time zone (`Intl`), or UTC where it cannot be told. */
export function deviceTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function ids(value: unknown): readonly string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

/**
 * A synchronous resolver over preloaded objects. Maps are built on first use, once per query:
 * targets by id per entity (forward steps) and holders by referenced id per association (backward).
 */
function createResolver(loaded: ReadonlyMap<string, readonly VaultObject[]>): Resolve {
  const objectsOf = (entity: string): readonly VaultObject[] => {
    const list = loaded.get(entity);
    // The planner lists every entity a path reaches; a miss is a planner bug, not "no objects".
    if (list === undefined) throw new VaultError('query-plan', `Local query did not preload ${entity}`, { entity });
    return list;
  };
  const byId = new Map<string, Map<string, VaultObject>>();
  const holders = new Map<string, Map<string, VaultObject[]>>();
  const targets = (a: AssociationDef): Map<string, VaultObject> => {
    let m = byId.get(a.to);
    if (m === undefined) {
      m = new Map(objectsOf(a.to).map((o) => [o.id, o]));
      byId.set(a.to, m);
    }
    return m;
  };
  const holdersOf = (a: AssociationDef): Map<string, VaultObject[]> => {
    let m = holders.get(a.name);
    if (m === undefined) {
      m = new Map();
      for (const o of objectsOf(a.from)) {
        for (const id of ids(o[a.name])) {
          const list = m.get(id);
          if (list === undefined) m.set(id, [o]);
          else list.push(o);
        }
      }
      holders.set(a.name, m);
    }
    return m;
  };
  return (association, object, direction) => {
    if (direction === 'backward') return holdersOf(association).get(object.id) ?? NONE;
    const value = object[association.name];
    const map = targets(association);
    if (typeof value === 'string') {
      const o = map.get(value);
      return o === undefined ? NONE : [o];
    }
    if (!Array.isArray(value)) return NONE;
    const out: VaultObject[] = [];
    for (const id of value as string[]) {
      const o = map.get(id);
      if (o !== undefined) out.push(o);
    }
    return out;
  };
}

async function candidatesOf(table: VaultTable, plan: LocalQueryPlan): Promise<VaultObject[]> {
  const access = plan.access;
  if (access.kind === 'index') return table.where(access.attribute).anyOf(access.values).toArray();
  if (access.kind === 'ids') return (await table.bulkGet(access.ids)).filter((o): o is VaultObject => o !== undefined);
  return table.toArray();
}

/**
 * Parses, checks, compiles and plans `xpath` on `entity`. Everything that can be wrong with the
 * query (unknown entity, XPathSyntaxError, XPathTypeError, a variable without a value, a bad time
 * zone) throws here, before anything is read.
 */
export function prepareLocalQuery(host: LocalQueryHost, entity: string, xpath: string, options: LocalQueryOptions = {}): PreparedLocalQuery {
  const { app } = host;
  app.entity(entity); // ValidationError('unknown-entity')
  const ast = parseXPath(xpath);
  const predicate = compileXPathAst(ast, { app, entity });
  const variables = options.variables ?? {};
  const plan = planLocalQuery(app, entity, ast, variables);
  for (const name of plan.variables) {
    if (!Object.prototype.hasOwnProperty.call(variables, name)) {
      throw new VaultError('unknown-variable', `XPath variable $${name} has no value in the query options`, { entity, variable: name });
    }
  }
  if (options.timeZone !== undefined && !isTimeZone(options.timeZone)) {
    throw new ValidationError('invalid-option', 'timeZone must be an IANA time zone name or UTC', { option: 'timeZone' });
  }
  const table = host.table(entity);
  const entities = [entity, ...[...plan.reached].filter((e) => e !== entity)];

  /*
   * Invariants of run():
   * - every read starts before the first await, so all tables are read concurrently (and a Dexie
   *   liveQuery around it would observe all of them);
   * - each table is read in its own transaction: a write landing between two reads can be seen in
   *   one table and not another; live() re-runs after that write, so it converges;
   * - when the queried entity is also reached by a path, its full list serves as the candidates
   *   (no second read); candidates are a superset and the predicate decides every one.
   */
  const run = async (): Promise<VaultObject[]> => {
    const reads = new Map<string, Promise<VaultObject[]>>();
    for (const e of plan.reached) reads.set(e, host.table(e).toArray());
    const candidates = reads.get(entity) ?? candidatesOf(table, plan);
    const loaded = new Map<string, VaultObject[]>();
    await Promise.all([...reads].map(async ([e, p]) => loaded.set(e, await p)));
    const objects = await candidates;
    const now = typeof options.now === 'function' ? options.now() : (options.now ?? new Date());
    const ctx: XPathContext = {
      user: options.user !== undefined ? options.user : host.user(),
      now,
      timeZone: options.timeZone ?? deviceTimeZone(),
      variables,
      resolve: createResolver(loaded),
      ...(options.currentObject === undefined ? {} : { currentObject: options.currentObject }),
    };
    const out = objects.filter((o) => predicate(o, ctx));
    // One order whatever the access path: by id, as IndexedDB orders keys (UTF-16 code units).
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  return { entity, plan, entities, run };
}
