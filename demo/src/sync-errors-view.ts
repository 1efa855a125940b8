import type { SyncErrorEntry, Vault } from 'offline-vault';
import { CUSTOMER, LABELS, NOUNS, ORDER_CUSTOMER } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { formatDateTime, shortId } from './format.js';

/** Plain-language explanations of the server's rejection codes (docs/protocol.md §3). */
const REASONS: Record<string, string> = {
  'write-denied': 'You may not change this field of this record.',
  'create-denied': 'You may not create records of this kind.',
  'delete-denied': 'You may not delete this record.',
  'not-found': 'The record no longer exists on the server, or is no longer visible to you.',
  'dangling-reference': 'It refers to a record that does not exist on the server.',
  'invalid-value': 'A value is not valid for the server.',
  'duplicate-id': 'A record with this id already exists.',
  'unknown-member': 'It has a field the server does not know.',
};

const OPS: Record<SyncErrorEntry['op'], string> = { create: 'New', update: 'Changed', delete: 'Deleted' };

/**
 * The "Sync issues" tab: every change the server rejected, with the content as this device had it
 * and the server's reason, so nothing is lost silently. Dismissing removes the entry.
 */
export function mountSyncErrorsView(root: HTMLElement, vault: Vault, onCount: (n: number) => void): { refresh(): Promise<void> } {
  const heading = h('h2', { class: 'card-title', id: 'sync-errors-title' }, 'Sync issues');
  const list = h('ul', { class: 'issue-list', id: 'sync-errors', 'aria-labelledby': 'sync-errors-title' });
  replaceChildren(
    root,
    h(
      'section',
      { class: 'card' },
      heading,
      h(
        'p',
        { class: 'card-lede' },
        'Changes the server refused. The server checks every change against the access rules again; what it rejects stays here with its content, so nothing is lost silently.',
      ),
      list,
    ),
  );

  let customerNames = new Map<string, string>();
  async function refresh(): Promise<void> {
    const [errors, customers] = await Promise.all([vault.syncErrors(), vault.table(CUSTOMER).toArray()]);
    customerNames = new Map(customers.map((c) => [c.id, String(c['Name'])]));
    onCount(errors.length);
    heading.textContent = errors.length === 0 ? 'Sync issues' : `Sync issues (${errors.length})`;
    replaceChildren(
      list,
      ...(errors.length === 0
        ? [h('li', { class: 'empty' }, 'No sync issues. Every change so far was accepted by the server.')]
        : [...errors].reverse().map(issueCard)),
    );
  }

  function issueCard(entry: SyncErrorEntry): HTMLElement {
    const noun = NOUNS[entry.entity]?.[0] ?? entry.entity;
    const title = `${OPS[entry.op]} ${noun} ${String(entry.content['Name'] ?? entry.content['Number'] ?? shortId(entry.objectId))}`;
    const fields = Object.entries(entry.content).filter(([name]) => name !== 'id');
    return h(
      'li',
      { class: 'issue', 'data-id': entry.id, 'data-object': entry.objectId },
      h(
        'div',
        { class: 'issue-head' },
        h('p', { class: 'issue-title' }, title),
        h('span', { class: 'badge badge-rejected' }, 'Rejected'),
        h('time', { class: 'issue-time', datetime: entry.at }, formatDateTime(entry.at)),
      ),
      h(
        'p',
        { class: 'issue-reason' },
        h('strong', {}, REASONS[entry.reason.code] ?? 'The server refused this change.'),
        ' ',
        h('code', { class: 'reason-code' }, entry.reason.code),
        h('span', { class: 'muted' }, ` · ${entry.reason.message}`),
      ),
      h(
        'details',
        { class: 'issue-content', open: true },
        h('summary', {}, 'Content as this device had it'),
        h(
          'dl',
          { class: 'kv' },
          ...fields.flatMap(([name, value]) => [h('dt', {}, LABELS[name] ?? name), h('dd', {}, show(name, value))]),
        ),
      ),
      h(
        'div',
        { class: 'issue-actions' },
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Dismiss: ${title}`, onClick: () => void vault.clearSyncError(entry.id).then(refresh) }, 'Dismiss'),
      ),
    );
  }

  /** A content value as the user knows it: dates readable, a customer by name when it is on the device. */
  function show(member: string, value: unknown): HTMLElement | string {
    if (value === null || value === undefined) return h('span', { class: 'muted' }, 'empty');
    if (member === ORDER_CUSTOMER && typeof value === 'string') return customerNames.get(value) ?? shortId(value);
    if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return formatDateTime(value);
    return String(value);
  }

  return { refresh };
}
