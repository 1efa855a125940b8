// Access evaluation (isomorphic): which objects and members a user may read, write, create, delete.
export { memberRights, readableProjection } from './member-rights.js';
export { canCreate, canDelete, canWrite, entityReadable, readScope } from './object-rights.js';
export type { ReadScope } from './object-rights.js';
export { securityOff, compiledRules, rulesForUser, maxRight } from './compiled-rules.js';
export type { RuleUser, CompiledRule } from './compiled-rules.js';
