export { defineApp, defaultIndexBits } from './define-app.js';
export { normalizeObject, checkObjectId } from './normalize-object.js';
export { normalizeAttribute, normalizeReference, canonicalDecimal } from './normalize-value.js';
export type { VaultObject } from './normalize-object.js';
export type { ValueLocation } from './normalize-value.js';
export type {
  AppSpec,
  AppDefinition,
  AttributeType,
  AttributeSpec,
  AttributeDef,
  AssociationSpec,
  AssociationDef,
  EntitySpec,
  EntityDef,
  IndexSpec,
  IndexDef,
  MemberRight,
  AccessRuleSpec,
  AccessRuleDef,
  SyncMode,
  SyncProfileEntry,
} from './types.js';
