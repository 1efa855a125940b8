/** How to answer a request's `Range` header for a representation of `size` bytes. */
export type RangeDecision =
  /** No usable range: send the whole representation (200). */
  | { kind: 'full' }
  /** Send bytes `[start, end)` (206). */
  | { kind: 'partial'; start: number; end: number }
  /** A byte range that is malformed or lies outside the representation (416). */
  | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

/**
 * Decides a single `bytes=` range (RFC 9110 §14). Other units and multi-range requests are
 * ignored (the whole file is sent, as the RFC allows); a malformed or unsatisfiable byte range
 * is 'unsatisfiable'. Open ends and suffix ranges (`bytes=-500`) are clamped to the size.
 */
export function parseRange(header: string | null, size: number): RangeDecision {
  if (header === null) return { kind: 'full' };
  const value = header.trim();
  const eq = value.indexOf('=');
  if (eq < 0 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'full' };
  const set = value.slice(eq + 1).trim();
  if (set.includes(',')) return { kind: 'full' };
  const match = SPEC.exec(set.replace(/\s+/g, ''));
  if (match === null) return { kind: 'unsatisfiable' };
  const [, first = '', last = ''] = match;
  if (first === '') {
    if (last === '') return { kind: 'unsatisfiable' };
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (last === '') return { kind: 'partial', start, end: size };
  const lastByte = Number(last);
  if (lastByte < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(size, lastByte + 1) };
}
