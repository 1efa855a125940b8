// Public entry of 'offline-vault/xpath' (isomorphic). Append new exports at the end, one block per module.
export { parseXPath, MAX_XPATH_DEPTH } from './parse-xpath.js';
export { checkXPath, isTimeZone } from './check-xpath.js';
export type { XPathScope, Domain, OperandInfo } from './check-xpath.js';
export { operandInfo } from './check-xpath.js';
export { resolveStep } from './resolve-step.js';
export type { ResolvedStep } from './resolve-step.js';
export { compileXPath, compileXPathAst } from './compile-xpath.js';
export type { Predicate } from './compile-xpath.js';
export { checkDefinitionXPath } from './check-definition-xpath.js';
export { compareDecimal, numberToDecimal } from './decimal-compare.js';
export { timeTokenValue, datePartValue } from './time-token-value.js';
export type { XPathContext } from './xpath-context.js';
export type {
  AndExpr,
  AssociationRef,
  AttributeRef,
  BooleanLiteral,
  CompareExpr,
  CompareOp,
  DatePart,
  DatePartFn,
  EmptyLiteral,
  ExistsExpr,
  Expr,
  IdRef,
  LengthFn,
  NotExpr,
  NumberLiteral,
  ObjectToken,
  Operand,
  OrExpr,
  PathStep,
  PeriodUnit,
  Span,
  StringLiteral,
  StringMatchExpr,
  TimeAnchor,
  TimeAnchorUnit,
  TimeOffset,
  TimeToken,
  VariableRef,
  XPathAst,
} from './ast.js';
// SQL compiler and storage conventions (to-sql.ts, sql-*.ts).
export { toSql, toSqlAst } from './to-sql.js';
export type { ToSqlOptions, SqlWhere } from './to-sql.js';
export type { SqlDialect } from './sql-dialect.js';
export { quoteIdent } from './sql-dialect.js';
export { registerSqliteFunctions } from './sql-functions.js';
export type { SqliteFunctionHost } from './sql-functions.js';
export { encodeSortableDecimal, decodeSortableDecimal } from './sql-decimal.js';
export {
  createTableSql,
  encodeSqlValue,
  decodeSqlValue,
  encodeSqlDatetime,
  sqlColumnType,
  defaultTableName,
  defaultColumnName,
  defaultJunction,
  resolveNaming,
  ID_COLUMN,
  JUNCTION_FROM_COLUMN,
  JUNCTION_TO_COLUMN,
} from './sql-schema.js';
export type { SqlNaming, JunctionNames } from './sql-schema.js';
// Printer (print-xpath.ts).
export { printXPath } from './print-xpath.js';
