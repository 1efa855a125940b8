import { XPathTypeError } from '../core/errors.js';
import type { Span } from './ast.js';

const MAX_PART = 80;

/**
 * An `XPathTypeError` naming the offending part of the constraint: `details.part` (the source
 * slice, shortened) and `details.position` (its 0-based offset), plus `extra` (entity, member...).
 */
export function typeError(source: string, span: Span, code: string, message: string, extra: Record<string, unknown> = {}): XPathTypeError {
  const raw = source.slice(span.start, span.end);
  const part = raw.length > MAX_PART ? `${raw.slice(0, MAX_PART)}...` : raw;
  return new XPathTypeError(code, `${message} (in '${part}' at ${span.start})`, { ...extra, part, position: span.start });
}
