import type { AssociationDef, VaultObject } from '../app/index.js';

/**
 * What a compiled constraint needs besides the object: the user, the clock, variables and a way
 * to follow associations. Everything is optional; a missing user makes `[%CurrentUser%]` empty.
 */
export interface XPathContext {
  /** The signed-in user: `[%CurrentUser%]` is `id`. */
  user?: { id: string; roles: readonly string[] } | null;
  /** The current instant (or a clock) for time tokens; default `new Date()`. */
  now?: Date | (() => Date);
  /** IANA zone for `BeginOf...` tokens and date functions without a zone argument. Default `'UTC'`. */
  timeZone?: string;
  /** Values of `$Name` variables (an object `{ id }` compares by id; null/undefined acts as `empty`). */
  variables?: Record<string, unknown>;
  /** Id of the context object for `[%CurrentObject%]`. */
  currentObject?: string;
  /**
   * Follows an association from `object` (synchronous; callers preload). `forward`: from the
   * `from` end to the `to` end (objects whose id is in `object[association.name]`); `backward`: the
   * objects of the `from` entity whose member `association.name` contains `object.id`.
   */
  resolve?: (association: AssociationDef, object: VaultObject, direction: 'forward' | 'backward') => readonly VaultObject[];
}
