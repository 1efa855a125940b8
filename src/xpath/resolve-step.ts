import type { AppDefinition, AssociationDef } from '../app/types.js';
import type { Span } from './ast.js';
import { typeError } from './type-error.js';

/** How one association step is walked. */
export interface ResolvedStep {
  readonly association: AssociationDef;
  /**
   * `forward`: from the `from` end (the holder of the reference) to the `to` end: the objects whose
   * id is in `object[association.name]`. `backward`: the objects of the `from` entity whose member
   * `association.name` contains the current object's id.
   */
  readonly direction: 'forward' | 'backward';
  /** The entity reached by the step. */
  readonly target: string;
}

/**
 * Resolves stepping from `entity` over `associationName`. Between two different entities either
 * direction works (chosen from the definition; `reversed` is an error there). On a self-reference
 * the default is forward (the holder's stored value, mendix.md #30) and `reversed` means backward.
 * Throws `XPathTypeError` (`unknown-association`, `wrong-path-step`, `reversed-not-self`) using
 * `source`/`span` for details.
 */
export function resolveStep(
  app: AppDefinition,
  entity: string,
  associationName: string,
  reversed: boolean,
  source = '',
  span: Span = { start: 0, end: source.length },
): ResolvedStep {
  const association = app.associations.get(associationName);
  if (association === undefined) {
    throw typeError(source, span, 'unknown-association', `Unknown association ${associationName}`, { entity, association: associationName });
  }
  const where = { entity, association: associationName };
  if (association.from === association.to) {
    if (association.from !== entity) {
      throw typeError(source, span, 'wrong-path-step', `Association ${associationName} does not start at ${entity}`, where);
    }
    return { association, direction: reversed ? 'backward' : 'forward', target: entity };
  }
  if (reversed) {
    throw typeError(source, span, 'reversed-not-self', `reversed() is only allowed on a self-reference; ${associationName} is not one`, where);
  }
  if (association.from === entity) return { association, direction: 'forward', target: association.to };
  if (association.to === entity) return { association, direction: 'backward', target: association.from };
  throw typeError(source, span, 'wrong-path-step', `Association ${associationName} does not start at ${entity}`, where);
}
