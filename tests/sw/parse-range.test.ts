import { describe, expect, it } from 'vitest';
import { parseRange, type RangeDecision } from '../../sw/parse-range.js';

const full: RangeDecision = { kind: 'full' };
const bad: RangeDecision = { kind: 'unsatisfiable' };
const part = (start: number, end: number): RangeDecision => ({ kind: 'partial', start, end });

describe('parseRange decides a Range header for a 1000-byte file', () => {
  it.each<[string | null, RangeDecision]>([
    [null, full],
    ['bytes=0-0', part(0, 1)],
    ['bytes=0-999', part(0, 1000)],
    ['bytes=10-19', part(10, 20)],
    ['bytes=500-', part(500, 1000)],
    ['bytes=990-5000', part(990, 1000)],
    ['bytes=-100', part(900, 1000)],
    ['bytes=-5000', part(0, 1000)],
    ['BYTES = 5-6', part(5, 7)],
    ['items=0-5', full],
    ['bytes=0-5,10-20', full],
    ['bytes=1000-', bad],
    ['bytes=1000-1001', bad],
    ['bytes=20-10', bad],
    ['bytes=-0', bad],
    ['bytes=-', bad],
    ['bytes=abc', bad],
    ['bytes=99999999999999999999-', bad],
  ])('%s -> %o', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });

  it.each<[string, RangeDecision]>([
    ['bytes=0-', bad],
    ['bytes=-1', bad],
  ])('an empty file cannot satisfy %s', (header, expected) => {
    expect(parseRange(header, 0)).toEqual(expected);
  });
});
