/**
 * The AST of a Mendix-style XPath constraint (DESIGN.md §3), produced by `parseXPath`.
 *
 * Shared contract: the predicate compiler (`compile-xpath.ts`) and the SQL compiler both walk this
 * tree. Changes must be additive (new optional fields, new node kinds), never reshaping a node.
 *
 * Conventions:
 * - Every node has `span`: 0-based `[start, end)` offsets into `XPathAst.source`, for error details.
 * - Names are kept exactly as written (`Sales.Customer_Address`, `Name`); the parser does not look at
 *   the app definition. `checkXPath` validates names and types; `resolveStep` (resolve-step.ts) tells
 *   the join direction of a path step.
 * - Number literals keep their exact source text (`'50.00'`, `'-3'`): never parsed to a float.
 * - A quoted string that contains `[%` is parsed into a token node at parse time (a bad token is an
 *   `XPathSyntaxError` at its position inside the string); other strings are `StringLiteral`s with
 *   the `''` escapes already undone.
 */

/** Source range `[start, end)` of a node, 0-based. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The whole constraint. `[a][b]` becomes `and`; top-level `[a] or [b]` (mendix.md #38) becomes `or`. */
export interface XPathAst {
  readonly kind: 'xpath';
  /** The text that was parsed (spans index into it). */
  readonly source: string;
  readonly constraint: Expr;
  readonly span: Span;
}

/** A boolean-valued expression. */
export type Expr = AndExpr | OrExpr | NotExpr | CompareExpr | ExistsExpr | StringMatchExpr;

/** Conjunction; `operands.length >= 2`, flattened (no `and` directly inside an `and`). */
export interface AndExpr {
  readonly kind: 'and';
  readonly operands: readonly Expr[];
  readonly span: Span;
}

/** Disjunction; `operands.length >= 2`, flattened. Binds looser than `and`. */
export interface OrExpr {
  readonly kind: 'or';
  readonly operands: readonly Expr[];
  readonly span: Span;
}

/** `not(expr)`. Over paths this is NOT the inverse operator: `not(P/x > 1)` is true when P is empty. */
export interface NotExpr {
  readonly kind: 'not';
  readonly operand: Expr;
  readonly span: Span;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * `left op right`. Either side may be any operand (`$v = Assoc` and `Assoc = $v` are both legal).
 * Paths compare existentially: true when some reachable value satisfies the comparison.
 * A comparison with an empty value is false, except `x = empty` (and `x != empty` for non-empty x).
 */
export interface CompareExpr {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: Operand;
  readonly right: Operand;
  readonly span: Span;
}

/** `[Assoc/Entity]`, `[Assoc/Entity[pred]/Assoc2/Entity2]`: at least one object at the end of the path. */
export interface ExistsExpr {
  readonly kind: 'exists';
  /** At least one step; the last step's filter (if any) applies to the objects that must exist. */
  readonly path: readonly PathStep[];
  readonly span: Span;
}

/** `contains(subject, needle)`, `starts-with(...)`, `ends-with(...)`: case-insensitive. */
export interface StringMatchExpr {
  readonly kind: 'string-match';
  readonly fn: 'contains' | 'starts-with' | 'ends-with';
  /** A string attribute, possibly over a path (existential). */
  readonly subject: AttributeRef;
  /** Usually a `StringLiteral`; a variable or another attribute is also accepted by the parser. */
  readonly needle: Operand;
  readonly span: Span;
}

/**
 * One association step of a path: `Module.Assoc[reversed()]/Module.Entity[pred][pred2]`.
 * `entity` is the entity named after the association (the other end, checked by `checkXPath`).
 */
export interface PathStep {
  readonly kind: 'step';
  readonly association: string;
  /** `Assoc[reversed()]`: flips the direction of this step only (self-references only). */
  readonly reversed: boolean;
  readonly entity: string;
  /** Sub-constraints on the step's entity (several brackets are and-ed into one), or null. */
  readonly filter: Expr | null;
  readonly span: Span;
}

/** Anything that yields values to compare. */
export type Operand =
  | AttributeRef
  | IdRef
  | AssociationRef
  | VariableRef
  | LengthFn
  | DatePartFn
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | EmptyLiteral
  | ObjectToken
  | TimeToken;

/** An attribute of the context entity (`path` empty) or of the entity at the end of `path`. */
export interface AttributeRef {
  readonly kind: 'attribute';
  readonly path: readonly PathStep[];
  readonly name: string;
  readonly span: Span;
}

/** The object-id pseudo attribute `id` (of the context object or at the end of `path`). */
export interface IdRef {
  readonly kind: 'id';
  readonly path: readonly PathStep[];
  readonly span: Span;
}

/**
 * An association member compared with ids: `Assoc = 'id'`, `Assoc = $obj`, `P/E/Assoc[reversed()] = $v`.
 * Its values are the ids of the objects one step further (existential for reference sets).
 */
export interface AssociationRef {
  readonly kind: 'association';
  /** Steps before the association (empty for a member of the context entity). */
  readonly path: readonly PathStep[];
  readonly association: string;
  readonly reversed: boolean;
  readonly span: Span;
}

/**
 * `$Name`: a value from `XPathContext.variables`. An object `{ id }` compares by its id; null or
 * undefined acts as the `empty` literal (`Attr = $v` is `Attr = empty`, as Mendix does); an array
 * compares existentially. A variable missing from the context is a run-time `unknown-variable`.
 */
export interface VariableRef {
  readonly kind: 'variable';
  /** Without the `$`. */
  readonly name: string;
  readonly span: Span;
}

/** `length(attr)` / `string-length(attr)`: an integer. */
export interface LengthFn {
  readonly kind: 'length';
  readonly fn: 'length' | 'string-length';
  readonly subject: AttributeRef;
  readonly span: Span;
}

export type DatePart =
  | 'year'
  | 'month'
  | 'day'
  | 'hours'
  | 'minutes'
  | 'seconds'
  | 'quarter'
  | 'day-of-year'
  | 'week'
  | 'weekday';

/**
 * `<part>-from-dateTime(attr[, 'Zone'])`: an integer. `timeZone` is the IANA name or `'UTC'` given
 * as second argument, or null (then `XPathContext.timeZone`, default UTC). `weekday`: 1 = Sunday ...
 * 7 = Saturday. `week`: ISO-8601 week number (as PostgreSQL `EXTRACT(WEEK)`).
 */
export interface DatePartFn {
  readonly kind: 'date-part';
  readonly part: DatePart;
  readonly subject: AttributeRef;
  readonly timeZone: string | null;
  readonly span: Span;
}

/** `'text'` without tokens (`''` unescaped to `'`). */
export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
  readonly span: Span;
}

/** `5`, `-3`, `9.80`: exact decimal text as written (no exponent). */
export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: string;
  readonly span: Span;
}

/** `true()` / `false()`. */
export interface BooleanLiteral {
  readonly kind: 'boolean';
  readonly value: boolean;
  readonly span: Span;
}

/** `empty` / `NULL`. */
export interface EmptyLiteral {
  readonly kind: 'empty';
  readonly span: Span;
}

/**
 * `'[%CurrentUser%]'` (the user's id), `'[%CurrentObject%]'` (the context object's id),
 * `'[%UserRole_X%]'` (the role name `X`). The span covers the quoted string.
 */
export interface ObjectToken {
  readonly kind: 'object-token';
  readonly token: 'CurrentUser' | 'CurrentObject' | 'UserRole';
  /** For `UserRole`: the role name after `UserRole_`. */
  readonly role?: string;
  readonly span: Span;
}

export type TimeAnchorUnit =
  | 'CurrentMinute'
  | 'CurrentHour'
  | 'CurrentDay'
  | 'Yesterday'
  | 'Tomorrow'
  | 'CurrentWeek'
  | 'CurrentMonth'
  | 'CurrentYear';

export type PeriodUnit = 'Second' | 'Minute' | 'Hour' | 'Day' | 'Week' | 'Month' | 'Year';

/** The instant a time token starts from. */
export type TimeAnchor =
  | { readonly kind: 'now' }
  /**
   * `BeginOf<unit>` / `EndOf<unit>` (+ `UTC`: computed in UTC instead of `XPathContext.timeZone`).
   * EndOf is the first instant of the next period (so `>= Begin and < End` covers the period).
   * Weeks start on Sunday.
   */
  | { readonly kind: 'begin' | 'end'; readonly unit: TimeAnchorUnit; readonly utc: boolean };

/** `+ 3 * [%DayLength%]`: `count` is a non-negative integer as text; `sign` is +1 or -1. */
export interface TimeOffset {
  readonly sign: 1 | -1;
  readonly count: string;
  readonly period: PeriodUnit;
}

/**
 * A quoted time expression: `'[%CurrentDateTime%]'`, `'[%BeginOfCurrentDay%] - 3 * [%YearLength%]'`.
 * Offsets apply left to right. Second..Week are fixed lengths (Day = 24 h, Week = 7 days); Month and
 * Year are calendar months/years in the anchor's zone (mendix.md does not document them).
 */
export interface TimeToken {
  readonly kind: 'time-token';
  readonly anchor: TimeAnchor;
  readonly offsets: readonly TimeOffset[];
  readonly span: Span;
}
