import fc from 'fast-check';
import { defineApp } from '../../src/app/define-app.js';
import type { AssociationDef, VaultObject } from '../../src/app/index.js';
import type { XPathContext } from '../../src/xpath/xpath-context.js';

/** A shop with every attribute type, references both ways, reference sets and self-references. */
export const shop = defineApp({
  roles: ['Admin', 'Clerk'],
  entities: {
    'Shop.Customer': {
      attributes: {
        Name: 'string',
        City: 'string',
        Gold: 'boolean',
        Registered: 'datetime',
        Credit: 'decimal',
        Visits: 'integer',
        Big: 'long',
        Tier: { enum: ['Bronze', 'Silver', 'Gold'] },
      },
      indexes: ['Name'],
    },
    'Shop.Address': { attributes: { City: 'string', Street: 'string' } },
    'Shop.Order': {
      attributes: { Number: 'integer', Total: 'decimal', Paid: 'boolean', PlacedAt: 'datetime', Status: { enum: ['Open', 'Paid', 'Closed'] }, Note: 'string' },
      indexes: ['Status'],
    },
    'Shop.Tag': { attributes: { Label: 'string' } },
    'Shop.Draft': { persistent: false, attributes: { Text: 'string' } },
  },
  associations: {
    'Shop.Address_Customer': { from: 'Shop.Address', to: 'Shop.Customer', type: 'reference' },
    'Shop.Order_Customer': { from: 'Shop.Order', to: 'Shop.Customer', type: 'reference' },
    'Shop.Order_Tags': { from: 'Shop.Order', to: 'Shop.Tag', type: 'reference-set' },
    'Shop.Customer_Referrer': { from: 'Shop.Customer', to: 'Shop.Customer', type: 'reference' },
    'Shop.Customer_Friends': { from: 'Shop.Customer', to: 'Shop.Customer', type: 'reference-set' },
  },
});

export type Dataset = Record<string, VaultObject[]>;
export const ENTITIES = ['Shop.Customer', 'Shop.Address', 'Shop.Order', 'Shop.Tag'] as const;

/*
 * Characters: mixed case, non-ASCII whose lower-casing JS and PostgreSQL agree on, an astral
 * character, LIKE wildcards and quotes. Not used: U+E000..U+FFFF (JS orders strings by UTF-16 code
 * unit, the databases by code point; they only disagree there), final-sigma and dotted-I cases.
 */
const CHARS = ['a', 'A', 'b', 'B', 'é', 'É', 'ß', 'ø', 'Ø', '日', '😀', ' ', '%', '_', "'", 'x'];
/** Random short strings, biased toward values the constraints compare with (so they collide). */
const text = fc.oneof(
  fc.constantFrom('a', 'aB', 'AB', 'b', 'B', 'é', 'É', 'ß', 'Øx', '日', '%', '_', 'a%b', "a'", '😀a', ''),
  fc.array(fc.constantFrom(...CHARS), { maxLength: 3 }).map((cs) => cs.join('')),
);
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { freq: 4, nil: null });

const randomDecimal = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }), fc.integer({ min: 0, max: 99_999_999 }), fc.constantFrom(0, 1, 2, 8))
  .map(([neg, int, frac, places]) => {
    const small = int % 4n === 0n ? int : int % 100n; // many small values so comparisons with literals hit both sides
    const f = places === 0 ? '' : String(frac).padStart(8, '0').slice(0, places).replace(/0+$/, '');
    const body = f === '' ? String(small) : `${small}.${f}`;
    return neg && body !== '0' ? `-${body}` : body;
  });
const decimal = fc.oneof(
  fc.constantFrom('0', '12.5', '-0.5', '10', '3', '0.00000001', '-12345678901234567890.12345678', '99999999999999999999.99999999'),
  randomDecimal,
);

/** Instants around DST changes (Europe/Amsterdam, America/New_York), year ends and week ends. */
const ANCHORS = [
  Date.UTC(2024, 2, 31, 1, 0), // Amsterdam spring forward
  Date.UTC(2024, 9, 27, 1, 0), // Amsterdam fall back
  Date.UTC(2024, 2, 10, 7, 0), // New York spring forward
  Date.UTC(2024, 10, 3, 6, 0), // New York fall back
  Date.UTC(2024, 11, 31, 23, 0), // year end (Amsterdam already 2025)
  Date.UTC(2025, 5, 15, 12, 0),
];
const datetime = fc
  .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -180, max: 180 }), fc.integer({ min: 0, max: 59_999 }))
  .map(([anchor, minutes, ms]) => new Date(anchor + minutes * 60_000 + ms).toISOString());

/** The clock of a run: near the same anchors, so time tokens cut through the data. */
export const clock = fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -2 * 1440, max: 2 * 1440 })).map(([a, m]) => new Date(a + m * 60_000));

const ref = (prefix: string, n: number): fc.Arbitrary<string | null> =>
  optional(fc.integer({ min: 0, max: n }).map((i) => `${prefix}${i}`)); // index n is dangling
const refSet = (prefix: string, n: number): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fc.integer({ min: 0, max: n }).map((i) => `${prefix}${i}`), { maxLength: 3 });

const N = { customer: 6, address: 6, order: 8, tag: 4 };

const customer = fc.record({
  Name: optional(text),
  City: optional(text),
  Gold: optional(fc.boolean()),
  Registered: optional(datetime),
  Credit: optional(decimal),
  Visits: optional(fc.integer({ min: -3, max: 6 })),
  Big: optional(fc.constantFrom(0, 5, -7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 9007199254740990)),
  Tier: optional(fc.constantFrom('Bronze', 'Silver', 'Gold')),
  'Shop.Customer_Referrer': ref('c', N.customer),
  'Shop.Customer_Friends': refSet('c', N.customer),
});
const address = fc.record({ City: optional(text), Street: optional(text), 'Shop.Address_Customer': ref('c', N.customer) });
const order = fc.record({
  Number: optional(fc.integer({ min: -3, max: 6 })),
  Total: optional(decimal),
  Paid: optional(fc.boolean()),
  PlacedAt: optional(datetime),
  Status: optional(fc.constantFrom('Open', 'Paid', 'Closed')),
  Note: optional(text),
  'Shop.Order_Customer': ref('c', N.customer),
  'Shop.Order_Tags': refSet('t', N.tag),
});
const tag = fc.record({ Label: optional(text) });

const objects = (prefix: string, n: number, arb: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<VaultObject[]> =>
  fc.array(arb, { minLength: n, maxLength: n }).map((list) => list.map((o, i) => ({ id: `${prefix}${i}`, ...o })));

/** Random datasets in stored form (decimals canonical strings, datetimes ISO UTC). */
export const dataset: fc.Arbitrary<Dataset> = fc.record({
  'Shop.Customer': objects('c', N.customer, customer),
  'Shop.Address': objects('a', N.address, address),
  'Shop.Order': objects('o', N.order, order),
  'Shop.Tag': objects('t', N.tag, tag),
});

function members(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

/** The association resolver a store would give the predicate compiler, over `data`. */
export function resolverOf(data: Dataset): NonNullable<XPathContext['resolve']> {
  const byId = new Map<string, VaultObject>();
  for (const list of Object.values(data)) for (const o of list) byId.set(o.id, o);
  return (association: AssociationDef, object, direction) => {
    if (direction === 'forward') {
      const target = data[association.to] ?? [];
      return members(object[association.name]).flatMap((id) => {
        const o = byId.get(id);
        return o === undefined || !target.includes(o) ? [] : [o];
      });
    }
    return (data[association.from] ?? []).filter((o) => members(o[association.name]).includes(object.id));
  };
}
