import type { AppDefinition } from '../app/types.js';
import { XPathSyntaxError, XPathTypeError } from '../core/errors.js';
import { checkXPath } from './check-xpath.js';
import { parseXPath } from './parse-xpath.js';

function describeWhere(where: Record<string, unknown>): string {
  const entity = typeof where['entity'] === 'string' ? where['entity'] : 'definition';
  if (where['rule'] !== undefined) return `Access rule ${String(where['rule'])} of ${entity}`;
  if (where['syncProfile'] === true) return `Sync profile of ${entity}`;
  return entity;
}

/**
 * Validates an XPath constraint found in an app definition (access rule or sync profile).
 * Throws XPathSyntaxError / XPathTypeError whose details include `where` and whose message is
 * prefixed with it (`Access rule 0 of Sales.Order: Expected ']' at 14 but found 'or'`).
 */
export function checkDefinitionXPath(app: AppDefinition, entity: string, xpath: string, where: Record<string, unknown>): void {
  try {
    checkXPath(parseXPath(xpath), { app, entity });
  } catch (err) {
    if (err instanceof XPathSyntaxError || err instanceof XPathTypeError) {
      const Ctor = err instanceof XPathSyntaxError ? XPathSyntaxError : XPathTypeError;
      throw new Ctor(err.code, `${describeWhere(where)}: ${err.message}`, { ...err.details, ...where }, { cause: err });
    }
    throw err;
  }
}
