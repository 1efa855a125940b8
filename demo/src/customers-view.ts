import type { Vault, VaultObject } from 'offline-vault';
import { CUSTOMER, DEMO_USERS, demoApp, LABELS, USER_PROFILES } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { attributeField, choiceField, type FormField } from './form-field.js';
import { formatDecimal } from './format.js';
import { recordForm } from './record-form.js';
import type { EntityRights } from './user-rights.js';

/** Name or city contains the search text (case-insensitive, as Mendix `contains`). */
const SEARCH = '[contains(Name, $q) or contains(City, $q)]';

/**
 * The Customers tab: a search over the decrypted objects on this device (a local XPath query),
 * the list, and a create / edit form with only the members this user may write.
 */
export function mountCustomersView(root: HTMLElement, vault: Vault, rights: EntityRights, signal: AbortSignal): void {
  const table = vault.table(CUSTOMER);
  const entity = demoApp.entity(CUSTOMER);
  const attr = (name: string) => entity.attributes.get(name)!;
  const fields: FormField[] = [];
  if (rights.writable('Name')) fields.push(attributeField('customer', attr('Name'), LABELS['Name']!, undefined, true));
  if (rights.writable('City')) fields.push(attributeField('customer', attr('City'), LABELS['City']!));
  if (rights.writable('CreditLimit')) fields.push(attributeField('customer', attr('CreditLimit'), LABELS['CreditLimit']!, 'In euros.'));
  if (rights.writable('AccountManager')) {
    const managers = Object.keys(DEMO_USERS).map((u) => ({ value: u, label: `${USER_PROFILES[u]?.name ?? u} (${u})` }));
    fields.push(choiceField('customer', 'AccountManager', LABELS['AccountManager']!, managers, 'Sales reps see only the customers they manage.'));
  }
  const form = recordForm({
    id: 'customer-form',
    entity,
    noun: 'customer',
    fields,
    required: ['Name'],
    allowCreate: rights.create,
    save: async (values, id) => {
      if (id === null) await table.put(values);
      else await table.update(id, values);
    },
  });

  const showCredit = rights.readable('CreditLimit');
  const showManager = rights.readable('AccountManager') && rights.create; // reps manage only their own
  let query = '';
  let all: VaultObject[] = [];
  const searchInput = h('input', { id: 'customer-search', type: 'search', placeholder: 'Name or city', autocomplete: 'off' });
  searchInput.addEventListener('input', () => {
    query = searchInput.value.trim();
    void render();
  });
  const searchForm = h(
    'form',
    { class: 'search', role: 'search', 'aria-label': 'Customers' },
    h('label', { for: 'customer-search' }, 'Search customers'),
    searchInput,
  );
  searchForm.addEventListener('submit', (event) => event.preventDefault());

  const heading = h('h2', { class: 'card-title', id: 'customer-list-title' });
  const list = h('ul', { class: 'record-list', 'aria-labelledby': 'customer-list-title', id: 'customer-list' });
  replaceChildren(root, form.element, h('section', { class: 'card' }, h('div', { class: 'list-head' }, heading), searchForm, list));

  let generation = 0;
  async function render(): Promise<void> {
    const mine = ++generation;
    const rows = query === '' ? all : await vault.query(CUSTOMER, SEARCH, { variables: { q: query } });
    if (mine !== generation) return; // a newer search already rendered
    const sorted = [...rows].sort((a, b) => String(a['Name']).localeCompare(String(b['Name'])));
    heading.textContent = query === '' ? `Customers (${sorted.length})` : `${sorted.length} of ${all.length} customers match “${query}”`;
    replaceChildren(list, ...(sorted.length === 0 ? [emptyState()] : sorted.map(customerRow)));
  }

  function emptyState(): HTMLElement {
    if (query !== '') return h('li', { class: 'empty' }, 'No customer name or city contains that text.');
    return h('li', { class: 'empty' }, rights.create ? 'No customers yet. Add one above.' : 'No customers on this device yet. Sync to fetch yours.');
  }

  function customerRow(customer: VaultObject): HTMLElement {
    const name = String(customer['Name'] ?? '');
    const meta = [customer['City'] ?? 'No city', showManager && customer['AccountManager'] ? `Account: ${String(customer['AccountManager'])}` : null];
    return h(
      'li',
      { class: 'record', 'data-id': customer.id },
      h('span', { class: 'avatar avatar-soft', 'aria-hidden': 'true' }, name.charAt(0) || '?'),
      h('div', { class: 'record-main' }, h('p', { class: 'record-title' }, name), h('p', { class: 'record-meta' }, meta.filter(Boolean).join(' · '))),
      showCredit
        ? h(
            'p',
            { class: 'record-figure', title: 'Credit limit' },
            customer['CreditLimit'] === null || customer['CreditLimit'] === undefined ? h('span', { class: 'muted' }, 'no limit') : `€ ${formatDecimal(customer['CreditLimit'])}`,
          )
        : h('span', {}),
      h(
        'div',
        { class: 'record-actions' },
        rights.canEdit ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Edit ${name}`, onClick: () => form.edit(customer) }, 'Edit') : null,
        rights.delete
          ? h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Delete ${name}`, onClick: () => void table.delete(customer.id) }, 'Delete')
          : null,
      ),
    );
  }

  const subscription = vault.live(CUSTOMER).subscribe({
    next: (rows) => {
      all = rows;
      void render();
    },
  });
  signal.addEventListener('abort', () => subscription.unsubscribe());
}
