/** Scalar attribute types of an entity (Mendix: String, Integer, Long, Decimal, Boolean, DateTime). */
export type AttributeType = 'string' | 'integer' | 'long' | 'decimal' | 'boolean' | 'datetime';

/** How an attribute is declared: a type name, an options object, or an enumeration. */
export type AttributeSpec =
  | AttributeType
  | { type: AttributeType; maxLength?: number; required?: boolean }
  | { enum: readonly string[]; required?: boolean };

/** An index entry: the attribute name, or an object choosing the blind-index width in bits. */
export type IndexSpec = string | { attribute: string; bits?: number };

/** Declaration of one entity. */
export interface EntitySpec {
  attributes?: Record<string, AttributeSpec>;
  /** Attributes that get equality indexes (blind indexes when the database is encrypted). */
  indexes?: readonly IndexSpec[];
  /** A file entity (Mendix System.FileDocument / System.Image specialization). */
  file?: 'file' | 'image';
  /** `false` keeps objects in memory only (Mendix non-persistable entity). Default `true`. */
  persistent?: boolean;
  /** Expected number of objects on a device; sizes blind indexes. Default 100,000. */
  expectedCount?: number;
}

/** Declaration of one association; the `from` entity holds the reference (Mendix default ownership). */
export interface AssociationSpec {
  from: string;
  to: string;
  type: 'reference' | 'reference-set';
}

/** Member rights in an access rule. */
export type MemberRight = 'none' | 'read' | 'readwrite';

/** One access rule of an entity (Mendix entity access). Rules add up per role. */
export interface AccessRuleSpec {
  roles: readonly string[];
  create?: boolean;
  delete?: boolean;
  /** Rights per member, or `'*'` for readwrite on every member. */
  members?: Record<string, MemberRight> | '*';
  /** Right for members not listed in `members`. Default `'none'`. */
  defaultMemberRight?: MemberRight;
  /** XPath constraint limiting the objects this rule applies to (not limiting create). */
  xpath?: string;
}

/** Sync mode of one entity (Mendix customizable synchronization). */
export type SyncMode = 'all' | 'xpath' | 'nothing-preserve' | 'nothing-clear' | 'never';

export interface SyncProfileEntry {
  mode: SyncMode;
  /** Required for `mode: 'xpath'`. */
  xpath?: string;
  /** For file entities: download contents during sync instead of on first access. */
  files?: 'lazy' | 'eager';
}

/** Input of `defineApp`. */
export interface AppSpec {
  /** Schema version; bump it when entities, attributes or indexes change. Default 1. */
  version?: number;
  entities: Record<string, EntitySpec>;
  associations?: Record<string, AssociationSpec>;
  /** User roles known to the app; required when `accessRules` is given. */
  roles?: readonly string[];
  accessRules?: Record<string, readonly AccessRuleSpec[]>;
  syncProfile?: Record<string, SyncProfileEntry>;
}

export interface AttributeDef {
  readonly name: string;
  readonly type: AttributeType | 'enum';
  /** Allowed keys of an enumeration. */
  readonly values?: readonly string[];
  readonly maxLength?: number;
  readonly required: boolean;
}

export interface AssociationDef {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly type: 'reference' | 'reference-set';
}

export interface IndexDef {
  readonly attribute: string;
  /** Blind-index width in bits (truncated HMAC) when encrypted. */
  readonly bits: number;
}

export interface EntityDef {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, AttributeDef>;
  /** Associations this entity holds the reference of (its association members). */
  readonly references: ReadonlyMap<string, AssociationDef>;
  readonly indexes: readonly IndexDef[];
  readonly file?: 'file' | 'image';
  readonly persistent: boolean;
}

export interface AccessRuleDef {
  readonly roles: readonly string[];
  readonly create: boolean;
  readonly delete: boolean;
  /** Right per member name (attributes and owned associations), every member listed. */
  readonly members: ReadonlyMap<string, MemberRight>;
  readonly xpath?: string;
}

/** The validated, frozen app definition returned by `defineApp`. */
export interface AppDefinition {
  readonly version: number;
  readonly entities: ReadonlyMap<string, EntityDef>;
  readonly associations: ReadonlyMap<string, AssociationDef>;
  readonly roles: readonly string[];
  readonly accessRules: ReadonlyMap<string, readonly AccessRuleDef[]>;
  readonly syncProfile: ReadonlyMap<string, SyncProfileEntry>;
  /** The entity named `name`; throws `ValidationError` (`unknown-entity`) if there is none. */
  entity(name: string): EntityDef;
}
