import { ValidationError } from '../core/errors.js';
import { checkDefinitionXPath } from '../xpath/check-definition-xpath.js';
import type {
  AccessRuleDef,
  AccessRuleSpec,
  AppDefinition,
  AppSpec,
  AssociationDef,
  AttributeDef,
  AttributeSpec,
  AttributeType,
  EntityDef,
  IndexDef,
  MemberRight,
  SyncProfileEntry,
} from './types.js';

const QUALIFIED_NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'integer', 'long', 'decimal', 'boolean', 'datetime'];
const MEMBER_RIGHTS: readonly MemberRight[] = ['none', 'read', 'readwrite'];
const SYNC_MODES = ['all', 'xpath', 'nothing-preserve', 'nothing-clear', 'never'] as const;
const RESERVED_MEMBERS = new Set(['id']);
const DEFAULT_EXPECTED_COUNT = 100_000;

function fail(code: string, message: string, details: Record<string, unknown>): never {
  throw new ValidationError(code, message, details);
}

/**
 * Blind-index width from the expected object count R: CipherSweet's rule 2 <= R / 2^L < sqrt(R),
 * aiming for about 8 coincidences per index value (L = floor(log2 R) - 3), at least 8 bits.
 */
export function defaultIndexBits(expectedCount: number): number {
  return Math.max(8, Math.min(32, Math.floor(Math.log2(Math.max(expectedCount, 2))) - 3));
}

function defineAttribute(entity: string, name: string, spec: AttributeSpec): AttributeDef {
  const where = { entity, attribute: name };
  if (!MEMBER_NAME.test(name) || RESERVED_MEMBERS.has(name)) {
    fail('invalid-name', `Attribute name "${name}" of ${entity} is not a valid member name`, where);
  }
  if (typeof spec === 'string') {
    if (!ATTRIBUTE_TYPES.includes(spec)) {
      fail('unknown-type', `Attribute ${entity}.${name} has unknown type "${spec}"`, { ...where, type: spec });
    }
    return { name, type: spec, required: false };
  }
  if (typeof spec !== 'object' || spec === null) {
    fail('unknown-type', `Attribute ${entity}.${name} has an invalid declaration`, where);
  }
  if ('enum' in spec) {
    const values = spec.enum;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || !MEMBER_NAME.test(v))) {
      fail('invalid-enum', `Enumeration ${entity}.${name} needs one or more keys that are valid names`, where);
    }
    if (new Set(values).size !== values.length) {
      fail('duplicate-name', `Enumeration ${entity}.${name} lists a key twice`, where);
    }
    return { name, type: 'enum', values: Object.freeze([...values]), required: spec.required === true };
  }
  if (!ATTRIBUTE_TYPES.includes(spec.type)) {
    fail('unknown-type', `Attribute ${entity}.${name} has unknown type "${String(spec.type)}"`, { ...where, type: spec.type });
  }
  if (spec.maxLength !== undefined) {
    if (spec.type !== 'string' || !Number.isInteger(spec.maxLength) || spec.maxLength < 1) {
      fail('invalid-option', `maxLength of ${entity}.${name} must be a positive integer on a string`, where);
    }
  }
  return {
    name,
    type: spec.type,
    required: spec.required === true,
    ...(spec.maxLength === undefined ? {} : { maxLength: spec.maxLength }),
  };
}

function checkUniqueIgnoringCase(names: Iterable<string>, scope: string, details: Record<string, unknown>): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const folded = name.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) {
      fail('duplicate-name', `${scope}: "${name}" and "${other}" collide (names are case-insensitive)`, { ...details, name });
    }
    seen.set(folded, name);
  }
}

function defineAccessRule(
  entity: EntityDef,
  index: number,
  spec: AccessRuleSpec,
  roles: ReadonlySet<string>,
): AccessRuleDef {
  const where = { entity: entity.name, rule: index };
  if (!Array.isArray(spec.roles) || spec.roles.length === 0) {
    fail('invalid-rule', `Access rule ${index} of ${entity.name} names no role`, where);
  }
  for (const role of spec.roles) {
    if (!roles.has(role)) fail('unknown-role', `Access rule ${index} of ${entity.name} names unknown role "${role}"`, { ...where, role });
  }
  const memberNames = [...entity.attributes.keys(), ...entity.references.keys()];
  const fallback = spec.defaultMemberRight ?? 'none';
  if (!MEMBER_RIGHTS.includes(fallback)) {
    fail('invalid-rule', `Access rule ${index} of ${entity.name} has an invalid default member right`, where);
  }
  const members = new Map<string, MemberRight>();
  if (spec.members === '*') {
    for (const name of memberNames) members.set(name, 'readwrite');
  } else {
    const listed = spec.members ?? {};
    for (const [name, right] of Object.entries(listed)) {
      if (!memberNames.includes(name)) {
        fail('unknown-member', `Access rule ${index} of ${entity.name} names unknown member "${name}"`, { ...where, member: name });
      }
      if (!MEMBER_RIGHTS.includes(right)) {
        fail('invalid-rule', `Access rule ${index} of ${entity.name} gives member "${name}" an invalid right`, { ...where, member: name });
      }
    }
    for (const name of memberNames) members.set(name, listed[name] ?? fallback);
  }
  if (spec.xpath !== undefined && (typeof spec.xpath !== 'string' || spec.xpath.trim() === '')) {
    fail('invalid-rule', `Access rule ${index} of ${entity.name} has an empty XPath`, where);
  }
  if (spec.xpath !== undefined && !entity.persistent) {
    fail('invalid-rule', `Access rule ${index} of memory-only entity ${entity.name} cannot have an XPath`, where);
  }
  return {
    roles: Object.freeze([...spec.roles]),
    create: spec.create === true,
    delete: spec.delete === true,
    members,
    ...(spec.xpath === undefined ? {} : { xpath: spec.xpath }),
  };
}

function defineSyncEntry(entity: EntityDef, spec: SyncProfileEntry): SyncProfileEntry {
  const where = { entity: entity.name };
  if (!SYNC_MODES.includes(spec.mode)) fail('invalid-sync-mode', `Sync mode of ${entity.name} is not one of ${SYNC_MODES.join(', ')}`, where);
  if (!entity.persistent) fail('invalid-sync-mode', `Memory-only entity ${entity.name} is never synchronized`, where);
  if (spec.mode === 'xpath' && (typeof spec.xpath !== 'string' || spec.xpath.trim() === '')) {
    fail('invalid-sync-mode', `Sync mode 'xpath' of ${entity.name} needs an xpath`, where);
  }
  if (spec.mode !== 'xpath' && spec.xpath !== undefined) {
    fail('invalid-sync-mode', `Only sync mode 'xpath' of ${entity.name} takes an xpath`, where);
  }
  if (spec.mode === 'never' && entity.file !== undefined) {
    fail('invalid-sync-mode', `File entity ${entity.name} cannot use sync mode 'never'`, where);
  }
  return Object.freeze({ ...spec });
}

/**
 * Validates an app definition and returns it frozen. Throws `ValidationError` naming the entity and
 * field of the first problem: unknown type, index on a missing attribute, association to an unknown
 * entity, duplicate names, unknown roles or members in access rules, invalid sync modes.
 */
export function defineApp(spec: AppSpec): AppDefinition {
  if (typeof spec !== 'object' || spec === null || typeof spec.entities !== 'object' || spec.entities === null) {
    fail('invalid-definition', 'defineApp needs an object with an "entities" map', {});
  }
  const version = spec.version ?? 1;
  if (!Number.isInteger(version) || version < 1) fail('invalid-definition', 'App version must be a positive integer', { version });

  const entityNames = Object.keys(spec.entities);
  const associationSpecs = spec.associations ?? {};
  checkUniqueIgnoringCase([...entityNames, ...Object.keys(associationSpecs)], 'Entity and association names', {});

  const associations = new Map<string, AssociationDef>();
  for (const [name, a] of Object.entries(associationSpecs)) {
    if (!QUALIFIED_NAME.test(name)) fail('invalid-name', `Association name "${name}" must look like Module.Name`, { association: name });
    for (const end of ['from', 'to'] as const) {
      if (!(a[end] in spec.entities)) {
        fail('unknown-entity', `Association ${name} refers to unknown entity "${String(a[end])}" (${end})`, { association: name, [end]: a[end] });
      }
    }
    if (a.type !== 'reference' && a.type !== 'reference-set') {
      fail('invalid-association', `Association ${name} has type "${String(a.type)}"; use reference or reference-set`, { association: name });
    }
    associations.set(name, Object.freeze({ name, from: a.from, to: a.to, type: a.type }));
  }

  const entities = new Map<string, EntityDef>();
  for (const [name, e] of Object.entries(spec.entities)) {
    if (!QUALIFIED_NAME.test(name)) fail('invalid-name', `Entity name "${name}" must look like Module.Entity`, { entity: name });
    const attrSpecs = { ...(e.attributes ?? {}) };
    if (e.file !== undefined) {
      if (e.file !== 'file' && e.file !== 'image') fail('invalid-option', `Entity ${name} has file kind "${String(e.file)}"`, { entity: name });
      // The members of System.FileDocument that make sense on a device.
      attrSpecs['Name'] ??= 'string';
      attrSpecs['Size'] ??= 'long';
      attrSpecs['MimeType'] ??= 'string';
    }
    checkUniqueIgnoringCase(Object.keys(attrSpecs), `Attributes of ${name}`, { entity: name });
    const attributes = new Map<string, AttributeDef>();
    for (const [attr, a] of Object.entries(attrSpecs)) attributes.set(attr, Object.freeze(defineAttribute(name, attr, a)));
    const references = new Map<string, AssociationDef>();
    for (const a of associations.values()) if (a.from === name) references.set(a.name, a);

    const persistent = e.persistent ?? true;
    const expected = e.expectedCount ?? DEFAULT_EXPECTED_COUNT;
    if (!Number.isInteger(expected) || expected < 1) fail('invalid-option', `expectedCount of ${name} must be a positive integer`, { entity: name });
    const indexes: IndexDef[] = [];
    for (const idx of e.indexes ?? []) {
      const attribute = typeof idx === 'string' ? idx : idx.attribute;
      const def = attributes.get(attribute);
      if (def === undefined) fail('unknown-attribute', `Index on ${name} names missing attribute "${String(attribute)}"`, { entity: name, attribute });
      if (indexes.some((i) => i.attribute === attribute)) fail('duplicate-name', `Index on ${name}.${attribute} is declared twice`, { entity: name, attribute });
      const bits = typeof idx === 'string' || idx.bits === undefined ? defaultIndexBits(expected) : idx.bits;
      if (!Number.isInteger(bits) || bits < 8 || bits > 256) {
        fail('invalid-option', `Index bits of ${name}.${attribute} must be an integer from 8 to 256`, { entity: name, attribute });
      }
      indexes.push(Object.freeze({ attribute, bits }));
    }
    if (!persistent && e.file !== undefined) fail('invalid-option', `File entity ${name} cannot be memory-only`, { entity: name });
    entities.set(
      name,
      Object.freeze({ name, attributes, references, indexes: Object.freeze(indexes), persistent, ...(e.file === undefined ? {} : { file: e.file }) }),
    );
  }

  const roleList = spec.roles ?? [];
  if (!Array.isArray(roleList) || roleList.some((r) => typeof r !== 'string' || r === '')) {
    fail('invalid-definition', 'roles must be a list of role names', {});
  }
  checkUniqueIgnoringCase(roleList, 'Roles', {});
  const roles = new Set(roleList);
  if (spec.accessRules !== undefined && roles.size === 0) {
    fail('invalid-definition', 'Access rules need the app to declare its roles', {});
  }

  const entity = (name: string): EntityDef => {
    const def = entities.get(name);
    if (def === undefined) throw new ValidationError('unknown-entity', `Unknown entity "${name}"`, { entity: name });
    return def;
  };

  const accessRules = new Map<string, readonly AccessRuleDef[]>();
  for (const [name, rules] of Object.entries(spec.accessRules ?? {})) {
    const def = entities.get(name) ?? fail('unknown-entity', `Access rules name unknown entity "${name}"`, { entity: name });
    if (!Array.isArray(rules)) fail('invalid-rule', `Access rules of ${name} must be a list`, { entity: name });
    accessRules.set(name, Object.freeze(rules.map((r, i) => Object.freeze(defineAccessRule(def, i, r, roles)))));
  }
  const syncProfile = new Map<string, SyncProfileEntry>();
  for (const [name, entry] of Object.entries(spec.syncProfile ?? {})) {
    const def = entities.get(name) ?? fail('unknown-entity', `Sync profile names unknown entity "${name}"`, { entity: name });
    syncProfile.set(name, defineSyncEntry(def, entry));
  }

  const app: AppDefinition = Object.freeze({
    version,
    entities,
    associations,
    roles: Object.freeze([...roleList]),
    accessRules,
    syncProfile,
    entity,
  });

  // Constraints are checked once the whole definition exists: paths may cross to any entity.
  for (const [name, rules] of accessRules) {
    rules.forEach((rule, index) => {
      if (rule.xpath !== undefined) checkDefinitionXPath(app, name, rule.xpath, { entity: name, rule: index });
    });
  }
  for (const [name, entry] of syncProfile) {
    if (entry.xpath !== undefined) checkDefinitionXPath(app, name, entry.xpath, { entity: name, syncProfile: true });
  }
  return app;
}
