import { XPathSyntaxError } from '../core/errors.js';

const MAX_FOUND = 24;

/** How a token is named in messages: quoted text (shortened), or `end of input`. */
export function describeFound(text: string | null): string {
  if (text === null) return 'end of input';
  return text.length > MAX_FOUND ? `${text.slice(0, MAX_FOUND)}...` : text;
}

/**
 * The one way the XPath lexer/parser fail: `Expected ']' at 14 but found 'or'`, with details
 * `{ position, found, expected }` (position 0-based in the constraint source).
 */
export function syntaxError(position: number, found: string | null, expected: readonly string[], reason?: string): XPathSyntaxError {
  const shown = describeFound(found);
  const foundText = found === null ? shown : `'${shown}'`;
  const message =
    reason !== undefined
      ? `${reason} at ${position}`
      : `Expected ${expected.map((e) => (e.startsWith('<') ? e : `'${e}'`)).join(' or ') || 'nothing'} at ${position} but found ${foundText}`;
  return new XPathSyntaxError('xpath-syntax', message, { position, found: shown, expected: [...expected] });
}
