import { checkObjectId, normalizeObject, type AppDefinition } from '../app/index.js';
import { rulesForUser, securityOff, type RuleUser } from '../rules/index.js';
import type { Members } from '../store/record-codec.js';
import type { ProtocolViolationEvent } from './sync-types.js';

/** Checks downloaded objects against the app's rules before anything is stored. */
export interface DownloadScreen {
  /** The storable members of a downloaded object, or null when the whole object must be dropped. */
  object(entity: string, id: unknown, values: unknown): Members | null;
  /** Whether the user could read the entity at all (some rule of theirs grants read on a member). */
  readable(entity: string): boolean;
}

/**
 * Defence in depth: the server is the authority, but the device never stores what the rules say
 * the user may not read. The bound is the members some rule of the user's roles grants read on,
 * XPath not evaluated: the device may lack the objects and clock an XPath depends on, and a
 * false drop would break convergence; the server applies the XPaths. Every drop is reported.
 */
export function createDownloadScreen(app: AppDefinition, user: RuleUser, report: (v: ProtocolViolationEvent) => void): DownloadScreen {
  const bounds = new Map<string, Set<string> | 'all'>();
  const bound = (entity: string): Set<string> | 'all' => {
    let b = bounds.get(entity);
    if (b === undefined) {
      if (securityOff(app)) b = 'all';
      else {
        b = new Set();
        for (const r of rulesForUser(app, entity, user)) for (const [m, right] of r.rule.members) if (right !== 'none') b.add(m);
      }
      bounds.set(entity, b);
    }
    return b;
  };
  return {
    readable(entity) {
      const b = bound(entity);
      return b === 'all' || b.size > 0;
    },
    object(entity, id, values) {
      const def = app.entities.get(entity);
      if (def === undefined || !def.persistent) {
        report({ entity, kind: 'unexpected-entity' });
        return null;
      }
      let objectId: string;
      try {
        objectId = checkObjectId(entity, id);
      } catch {
        report({ entity, kind: 'invalid-value' });
        return null;
      }
      const b = bound(entity);
      if (b !== 'all' && b.size === 0) {
        report({ entity, id: objectId, kind: 'unreadable-entity' });
        return null;
      }
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        report({ entity, id: objectId, kind: 'invalid-value' });
        return null;
      }
      const kept: Record<string, unknown> = {};
      for (const [member, value] of Object.entries(values)) {
        if (!def.attributes.has(member) && !def.references.has(member)) {
          report({ entity, id: objectId, member, kind: 'unknown-member' });
        } else if (b !== 'all' && !b.has(member)) {
          report({ entity, id: objectId, member, kind: 'unreadable-member' });
        } else kept[member] = value;
      }
      try {
        return normalizeObject(def, kept, { id: objectId, partial: true });
      } catch {
        report({ entity, id: objectId, kind: 'invalid-value' });
        return null;
      }
    },
  };
}
