import type { Vault } from 'offline-vault';
import { DRAFT } from './demo-app.js';
import { h } from './dom.js';

/** The one draft object of this page (memory-only objects need an id like any other). */
const DRAFT_ID = crypto.randomUUID();

/**
 * A scratch note backed by the memory-only entity Sales.Draft (`persistent: false`): it has the
 * vault's API and validation but no object store, so it never touches disk, not even encrypted,
 * and it is gone after a reload.
 */
export function createDraftNote(vault: Vault): HTMLElement {
  const table = vault.table(DRAFT);
  const status = h('p', { class: 'field-hint', id: 'draft-status', 'aria-live': 'polite' }, 'Empty.');
  const text = h('textarea', { id: 'draft-text', rows: 4, placeholder: 'Jot something down during a visit…', 'aria-describedby': 'draft-lede draft-status' });
  let pending: Promise<unknown> = Promise.resolve();

  text.addEventListener('input', () => {
    const value = text.value;
    // Writes run in order so a slow one never overwrites a newer text.
    pending = pending
      .then(async () => {
        if (value === '') await table.delete(DRAFT_ID);
        else await table.put({ id: DRAFT_ID, Text: value });
      })
      .then(async () => {
        const stored = await table.get(DRAFT_ID);
        status.textContent = stored === undefined ? 'Empty.' : `Kept in memory: ${String(stored['Text']).length} characters.`;
      })
      .catch((error: unknown) => {
        status.textContent = `Not kept (${(error as Error).name}).`;
      });
  });

  // After an unlock the app is rebuilt: show the draft this page still holds.
  void table.get(DRAFT_ID).then((stored) => {
    if (stored !== undefined && text.value === '') {
      text.value = String(stored['Text'] ?? '');
      status.textContent = `Kept in memory: ${text.value.length} characters.`;
    }
  }, () => undefined);

  return h(
    'section',
    { class: 'card', id: 'draft-note', 'aria-labelledby': 'draft-title' },
    h('div', { class: 'protection-head' }, h('h2', { class: 'card-title', id: 'draft-title' }, 'Draft note'), h('span', { class: 'level level-info' }, 'Memory only')),
    h(
      'p',
      { class: 'check-text', id: 'draft-lede' },
      'Backed by the memory-only entity Sales.Draft: it never touches disk, not even encrypted (look for it in the raw storage: it is not there), and it is gone after a reload.',
    ),
    h('div', { class: 'field' }, h('label', { for: 'draft-text' }, 'Note'), text, status),
  );
}
