import type { AppDefinition } from '../app/types.js';

/**
 * Validates an XPath constraint found in an app definition (access rule or sync profile).
 * Throws XPathSyntaxError / XPathTypeError whose details include `where`.
 */
export function checkDefinitionXPath(
  _app: AppDefinition,
  _entity: string,
  _xpath: string,
  _where: Record<string, unknown>,
): void {
  // Replaced by the XPath engine (issue 3).
}
