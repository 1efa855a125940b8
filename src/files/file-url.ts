import { ValidationError } from '../core/errors.js';

/** Default path prefix of file URLs (`vault.files.url(id)`), served by the offline-vault service worker. */
export const DEFAULT_FILES_PREFIX = '/vault-files/';

/** What a file URL names. */
export interface FileUrlTarget {
  vault: string;
  id: string;
}

function checkPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || !prefix.endsWith('/')) {
    throw new ValidationError('invalid-option', 'The files URL prefix must start and end with "/"', { option: 'files.urlPrefix' });
  }
}

/**
 * The URL path `<prefix><vault>/<id>` under which the service worker serves an object's file.
 * Both parts are percent-encoded, so any vault name or id stays one path segment.
 */
export function fileUrl(prefix: string, vault: string, id: string): string {
  checkPrefix(prefix);
  if (typeof id !== 'string' || id === '') throw new ValidationError('invalid-id', 'A file id must be a non-empty string', { rule: 'id' });
  return `${prefix}${encodeURIComponent(vault)}/${encodeURIComponent(id)}`;
}

/** The vault and object id of a file URL path, or undefined when `pathname` is not one. */
export function parseFileUrl(prefix: string, pathname: string): FileUrlTarget | undefined {
  checkPrefix(prefix);
  if (!pathname.startsWith(prefix)) return undefined;
  const parts = pathname.slice(prefix.length).split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  try {
    return { vault: decodeURIComponent(parts[0]!), id: decodeURIComponent(parts[1]!) };
  } catch {
    return undefined; // malformed percent-encoding
  }
}
