import type { AppDefinition, MemberRight } from 'offline-vault/app';

/** What the signed-in user's roles allow on an entity (the union of their rules), for the UI. */
export interface EntityRights {
  readonly create: boolean;
  readonly delete: boolean;
  /** The strongest right any of the user's rules gives on `member`. */
  member(name: string): MemberRight;
  readable(name: string): boolean;
  writable(name: string): boolean;
  /** Whether any member is writable (so editing makes sense). */
  readonly canEdit: boolean;
}

const RANK: Record<MemberRight, number> = { none: 0, read: 1, readwrite: 2 };

/**
 * Rights of `roles` on `entity`, ignoring the rules' XPath: the device only holds objects the
 * user may read, and the server checks every write again anyway. This only decides which controls
 * to show; it is never the enforcement.
 */
export function entityRights(app: AppDefinition, entity: string, roles: readonly string[]): EntityRights {
  const rules = (app.accessRules.get(entity) ?? []).filter((rule) => rule.roles.some((r) => roles.includes(r)));
  const member = (name: string): MemberRight => {
    let best: MemberRight = 'none';
    for (const rule of rules) {
      const right = rule.members.get(name) ?? 'none';
      if (RANK[right] > RANK[best]) best = right;
    }
    return best;
  };
  const members = rules.flatMap((rule) => [...rule.members.keys()]);
  return {
    create: rules.some((r) => r.create),
    delete: rules.some((r) => r.delete),
    member,
    readable: (name) => member(name) !== 'none',
    writable: (name) => member(name) === 'readwrite',
    canEdit: members.some((name) => member(name) === 'readwrite'),
  };
}
