// XPath benchmark (issue 3, "Measure"): compile time, predicate evaluations per second, vault.query
// with an index vs a scan (encrypted, fake-indexeddb in Node), SQL filter vs JS filter in SQLite.
// Loads the TypeScript sources through Vite's SSR loader, so no build is needed.
// Usage: node bench/xpath-bench.mjs [--objects 100000] [--records 10000] [--rows 100000]
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import Database from 'better-sqlite3';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const OBJECTS = option('objects', 100_000);
const RECORDS = option('records', 10_000);
const ROWS = option('rows', 100_000);

const vite = await createServer({ root, configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false } });
const load = (path) => vite.ssrLoadModule(path);
const { defineApp } = await load('/src/app/index.ts');
const xpath = await load('/src/xpath/index.ts');
const { openVault } = await load('/src/store/index.ts');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
/** Median milliseconds of `runs` runs of `fn` (after one warm-up). */
async function time(fn, runs = 5) {
  await fn();
  const out = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

const app = defineApp({
  entities: {
    'Shop.Customer': { attributes: { Name: 'string', City: 'string', Credit: 'decimal' }, indexes: ['Name'] },
    'Shop.Order': {
      attributes: { Number: 'integer', Status: { enum: ['Open', 'Paid', 'Shipped', 'Closed'] }, Total: 'decimal', PlacedAt: 'datetime', Paid: 'boolean', Note: 'string' },
      indexes: ['Status', 'Number'],
    },
  },
  associations: { 'Shop.Order_Customer': { from: 'Shop.Order', to: 'Shop.Customer', type: 'reference' } },
});
const STATUSES = ['Open', 'Paid', 'Shipped', 'Closed'];
const CITIES = ['Rotterdam', 'Delft', 'Utrecht', 'Leiden', 'Gouda'];
const customers = Array.from({ length: 1000 }, (_, i) => ({ id: `c${i}`, Name: `Customer ${i}`, City: CITIES[i % CITIES.length], Credit: `${i * 10}.5` }));
const order = (i) => ({
  id: `o${String(i).padStart(6, '0')}`,
  Number: i,
  Status: STATUSES[i % 4],
  Total: `${(i * 7919) % 100_000}.${String(i % 100).padStart(2, '0')}`,
  PlacedAt: new Date(Date.UTC(2024, 0, 1) + (i % 365) * 86_400_000).toISOString(),
  Paid: i % 3 === 0,
  Note: i % 5 === 0 ? null : `note ${i}`,
  'Shop.Order_Customer': `c${i % 1000}`,
});
const O = 'Shop.Order';
const lines = [];
const report = (label, value) => {
  lines.push([label, value]);
  console.log(`${label.padEnd(64)} ${value}`);
};
console.log(`offline-vault XPath benchmark (Node ${process.version})\n`);

// 1. Compile time of a 10-clause constraint (parse + check + compile).
const tenClauses =
  "[Status = 'Open' and Total > 100 and Total <= 90000.50 and Number != 7 and Paid = false()" +
  " and Note != empty and contains(Note, 'te') and PlacedAt >= '[%BeginOfCurrentYear%] - 1 * [%YearLength%]'" +
  " and year-from-dateTime(PlacedAt, 'Europe/Amsterdam') >= 2024 and Shop.Order_Customer/Shop.Customer/City = 'Delft']";
{
  const n = 2000;
  const ms = await time(() => {
    for (let i = 0; i < n; i += 1) xpath.compileXPath(tenClauses, { app, entity: O });
  });
  report('compile a 10-clause constraint (parse + check + compile)', `${fmt((ms * 1000) / n)} µs`);
}

// 2. Predicate evaluations per second over OBJECTS objects.
const objects = Array.from({ length: OBJECTS }, (_, i) => order(i));
const byId = new Map(customers.map((c) => [c.id, c]));
const ctx = {
  now: new Date(Date.UTC(2024, 5, 1)),
  timeZone: 'UTC',
  resolve: (association, object) => {
    const c = byId.get(object[association.name]);
    return c === undefined ? [] : [c];
  },
};
async function evalRate(label, constraint) {
  const p = xpath.compileXPath(constraint, { app, entity: O });
  let hits = 0;
  const ms = await time(() => {
    hits = 0;
    for (let i = 0; i < objects.length; i += 1) if (p(objects[i], ctx)) hits += 1;
  }, 7);
  report(`${label} (${fmt(hits, 0)} hits)`, `${fmt(objects.length / (ms / 1000), 0)} evaluations/s`);
  return objects.length / (ms / 1000);
}
report('objects evaluated per pass', fmt(OBJECTS, 0));
// Both comparisons run on (almost) every object in the second one: no short cut by the first.
const twoCmp = Math.min(
  await evalRate("[Status = 'Open' and Total > 50000] (no path)", "[Status = 'Open' and Total > 50000]"),
  await evalRate('[Number > 500 and Total <= 90000] (no path)', '[Number > 500 and Total <= 90000]'),
);
await evalRate("[Customer/City = 'Delft'] (one path step, every object)", "[Shop.Order_Customer/Shop.Customer/City = 'Delft']");
await evalRate("[Total > 50000 and Customer/City = 'Delft'] (path)", "[Total > 50000 and Shop.Order_Customer/Shop.Customer/City = 'Delft']");
await evalRate('the 10-clause constraint', tenClauses);
report('target for two comparisons without paths', `2,000,000 evaluations/s: ${twoCmp >= 2_000_000 ? 'met' : 'NOT met'}`);

// 3. vault.query on RECORDS encrypted records: indexed equality vs full scan.
{
  const vault = await openVault({ name: 'xpath-bench', app, requestPersistence: false, indexedDB: new IDBFactory(), IDBKeyRange });
  await vault.table('Shop.Customer').bulkPut(customers);
  await vault.table(O).bulkPut(Array.from({ length: RECORDS }, (_, i) => order(i)));
  const q = async (label, constraint) => {
    let n = 0;
    const ms = await time(async () => {
      n = (await vault.query(O, constraint)).length;
    });
    report(`vault.query ${label} (${fmt(n, 0)} of ${fmt(RECORDS, 0)})`, `${fmt(ms, 1)} ms`);
    return ms;
  };
  const one = await q("[Number = 4242] (blind index)", '[Number = 4242]');
  const quarter = await q("[Status = 'Paid'] (blind index)", "[Status = 'Paid']");
  const scan = await q("[Total > 50000] (scan + decrypt)", '[Total > 50000]');
  const pathScan = await q("[Customer/City = 'Delft'] (scan + preload)", "[Shop.Order_Customer/Shop.Customer/City = 'Delft']");
  report('scan / indexed equality (1 hit)', `${fmt(scan / one, 1)}x`);
  report('scan / indexed equality (25% hits)', `${fmt(scan / quarter, 1)}x`);
  void pathScan;
  vault.close();
  report('vault.query storage', 'fake-indexeddb in Node (no browser); encrypted (AES-GCM, HMAC blind indexes)');
}

// 4. SQL filter vs loading rows and filtering in JS, ROWS rows in SQLite.
{
  const db = new Database(':memory:');
  xpath.registerSqliteFunctions(db);
  for (const s of xpath.createTableSql(app, 'sqlite')) db.exec(s);
  const entity = app.entity(O);
  const cols = ['id', ...entity.attributes.keys(), 'Shop.Order_Customer'];
  const insert = db.prepare(`INSERT INTO "Shop.Order" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  db.transaction(() => {
    for (let i = 0; i < ROWS; i += 1) {
      const o = order(i);
      insert.run(o.id, ...[...entity.attributes.values()].map((a) => xpath.encodeSqlValue(a, o[a.name], 'sqlite')), o['Shop.Order_Customer']);
    }
  })();
  const constraint = "[Status = 'Open' and Total > 50000]";
  const { where, params } = xpath.toSql(constraint, { app, entity: O, dialect: 'sqlite' });
  const filtered = db.prepare(`SELECT * FROM "Shop.Order" WHERE ${where}`);
  const all = db.prepare('SELECT * FROM "Shop.Order"');
  const predicate = xpath.compileXPath(constraint, { app, entity: O });
  const attrs = [...entity.attributes.values()];
  let sqlHits = 0;
  let jsHits = 0;
  const sqlMs = await time(() => {
    sqlHits = filtered.all(...params).length;
  });
  const jsMs = await time(() => {
    jsHits = 0;
    for (const row of all.iterate()) {
      const o = { id: row.id };
      for (const a of attrs) o[a.name] = xpath.decodeSqlValue(a, row[a.name], 'sqlite');
      if (predicate(o, {})) jsHits += 1;
    }
  });
  if (sqlHits !== jsHits) throw new Error(`SQL and JS disagree: ${sqlHits} vs ${jsHits}`);
  report(`SQLite ${constraint}: SQL WHERE (${fmt(sqlHits, 0)} of ${fmt(ROWS, 0)} rows)`, `${fmt(sqlMs, 1)} ms`);
  report('SQLite: load every row, decode, filter in JS', `${fmt(jsMs, 1)} ms`);
  report('JS filter / SQL filter', `${fmt(jsMs / sqlMs, 1)}x`);
  db.close();
}

await vite.close();
