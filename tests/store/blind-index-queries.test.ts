import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/index.js';
import { openVault } from '../../src/store/index.js';
import { freshIndexedDb } from '../helpers/open-test-vault.js';

// 8-bit blind indexes force many coincidences, so the exact-match filtering is exercised.
const app = defineApp({
  entities: {
    'T.Item': {
      attributes: { Word: 'string', Size: 'integer', Flag: 'boolean', Kind: { enum: ['A', 'B', 'C'] } },
      indexes: [{ attribute: 'Word', bits: 8 }, { attribute: 'Size', bits: 8 }, 'Flag', 'Kind'],
    },
  },
});

const item = fc.record({
  Word: fc.option(fc.constantFrom('alpha', 'Alpha', 'beta', 'γάμμα', '', ' alpha', 'delta', 'x'), { nil: null }),
  Size: fc.option(fc.integer({ min: -5, max: 40 }), { nil: null }),
  Flag: fc.option(fc.boolean(), { nil: null }),
  Kind: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: null }),
});

describe('blind-index equality queries', () => {
  it('return exactly the objects whose value equals the query value (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 60 }),
        fc.constantFrom('Word', 'Size', 'Flag', 'Kind'),
        fc.array(fc.oneof(fc.constantFrom('alpha', 'Alpha', 'beta', '', 'zeta', 'A', 'C'), fc.integer({ min: -5, max: 40 }), fc.boolean(), fc.constant(null)), { minLength: 1, maxLength: 3 }),
        async (items, attribute, rawValues) => {
          const values = rawValues.filter((v) =>
            attribute === 'Word' ? typeof v === 'string' || v === null
            : attribute === 'Size' ? typeof v === 'number' || v === null
            : attribute === 'Flag' ? typeof v === 'boolean' || v === null
            : v === null || v === 'A' || v === 'C',
          );
          fc.pre(values.length > 0);
          const vault = await openVault({ name: 'prop', app, requestPersistence: false, ...freshIndexedDb() });
          try {
            const ids = await vault.table('T.Item').bulkPut(items);
            const expected = ids.filter((_, i) => values.some((v) => (items[i] as Record<string, unknown>)[attribute] === v)).sort();
            const got = (await vault.table('T.Item').where(attribute).anyOf(values).toArray()).map((o) => o.id).sort();
            expect(got).toEqual(expected);
            const single = (await vault.table('T.Item').where(attribute).equals(values[0]).toArray()).map((o) => o.id).sort();
            expect(single).toEqual(ids.filter((_, i) => (items[i] as Record<string, unknown>)[attribute] === values[0]).sort());
          } finally {
            vault.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
