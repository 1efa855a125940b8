import { canCreate } from '../rules/index.js';
import { entityAccess, rightsOfRow, type AccessContext } from './access-sql.js';
import { ALIAS, rowsById } from './download-entity.js';
import { tombstoneTable } from './ensure-schema.js';
import { HttpError } from './http-error.js';
import { SqlBuilder, type SqlExecutor } from './sync-store.js';
import { quoteIdent, ID_COLUMN } from '../xpath/index.js';

/** What a user may do with the contents of one object (docs/protocol.md §7, Access). */
export type FileRight = { kind: 'existing'; read: boolean; write: boolean } | { kind: 'new'; create: boolean };

/**
 * The user's right on object `id`'s contents: the object's readability (read) and "may change some
 * member of the stored object" (write), judged as uploads are; an object that does not exist (and
 * never existed) can get contents from a user who may create the entity (upload before create).
 */
export async function fileRight(tx: SqlExecutor, ac: AccessContext, entity: string, id: string): Promise<FileRight> {
  const ea = entityAccess(ac, entity, ALIAS);
  const [row] = await rowsById(tx, ac, ea, [id]);
  if (row !== undefined) {
    const rights = rightsOfRow(ac.app, ea, row);
    return { kind: 'existing', read: rights.read.length > 0, write: rights.read.length > 0 && rights.write.size > 0 };
  }
  const b = new SqlBuilder(ac.dialect);
  const q = (n: string): string => quoteIdent(n, ac.dialect);
  const dead = await tx.all(`SELECT 1 AS x FROM ${q(tombstoneTable(entity))} WHERE ${q(ID_COLUMN)} = ${b.p(id)}`, b.params);
  return { kind: 'new', create: dead.length === 0 && canCreate(ac.app, entity, ac.user) };
}

/** 404 for objects the user may not read (indistinguishable from missing ones), 403 for read-only ones. */
export function requireWrite(right: FileRight, entity: string): void {
  if (right.kind === 'new') {
    if (!right.create) throw new HttpError(403, 'create-denied', `The user may not create ${entity}`, { entity });
    return;
  }
  if (!right.read) throw new HttpError(404, 'not-found', `${entity}: no such object`, { entity });
  if (!right.write) throw new HttpError(403, 'write-denied', `The user may not change this ${entity}`, { entity });
}
