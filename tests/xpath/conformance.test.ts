import { describe, expect, test } from 'vitest';
import { parseXPath } from '../../src/xpath/parse-xpath.js';
import { MENDIX_EXAMPLES, SALES_CASES } from './sales-cases.js';
import { matching } from './sales-fixture.js';

describe('mendix.md §3.6 conformance examples and the Sales table', () => {
  test('the table covers all 40 documented examples and at least 60 evaluated cases', () => {
    expect(new Set(MENDIX_EXAMPLES.map((e) => e.name)).size).toBe(40);
    expect(SALES_CASES.filter((c) => c.expected !== undefined).length).toBeGreaterThanOrEqual(60);
    expect(new Set(SALES_CASES.map((c) => `${c.name} ${c.xpath}`)).size).toBe(SALES_CASES.length);
  });

  test.each(MENDIX_EXAMPLES)('example $name parses as written: $xpath', ({ xpath }) => {
    const ast = parseXPath(xpath);
    expect(ast.kind).toBe('xpath');
    expect(ast.source).toBe(xpath);
  });

  test.each(SALES_CASES.filter((c) => c.expected !== undefined))('$name selects the expected objects: $xpath', (c) => {
    expect(matching(c.entity, c.evaluate ?? c.xpath, c.ctx).sort()).toEqual([...c.expected!].sort());
  });
});
