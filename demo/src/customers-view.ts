import type { Vault, VaultObject } from 'offline-vault';
import { h, replaceChildren } from './dom.js';
import { formatDecimal } from './format.js';
import { attributeField } from './form-field.js';
import { recordForm } from './record-form.js';
import { CUSTOMER, LABELS, salesApp } from './sales-app.js';

/** The Customers tab: create / edit form, a city search over the blind index, and the list. */
export function mountCustomersView(root: HTMLElement, vault: Vault): void {
  const table = vault.table(CUSTOMER);
  const entity = salesApp.entity(CUSTOMER);
  const attr = (name: string) => entity.attributes.get(name)!;
  const form = recordForm({
    id: 'customer-form',
    entity,
    noun: 'customer',
    fields: [
      attributeField('customer', attr('Name'), LABELS['Name']!),
      attributeField('customer', attr('City'), LABELS['City']!),
      attributeField('customer', attr('CreditLimit'), LABELS['CreditLimit']!, 'In euros, up to 8 decimal places.'),
    ],
    save: async (values, id) => {
      if (id === null) await table.put(values);
      else await table.update(id, values);
    },
  });

  let search: string | null = null;
  let all: VaultObject[] = [];
  const searchInput = h('input', { id: 'customer-search', type: 'search', placeholder: 'e.g. Rotterdam', autocomplete: 'off' });
  const clear = h('button', { type: 'button', class: 'btn btn-ghost', hidden: true, onClick: () => setSearch(null) }, 'Clear');
  const searchForm = h(
    'form',
    { class: 'search', role: 'search', 'aria-label': 'Customers by city' },
    h('label', { for: 'customer-search' }, 'Find customers by city'),
    h('div', { class: 'search-row' }, searchInput, h('button', { type: 'submit', class: 'btn' }, 'Search'), clear),
    h('p', { class: 'field-hint' }, 'Exact match through a blind index: the city is never stored in readable form.'),
  );
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    setSearch(searchInput.value.trim() || null);
  });

  const heading = h('h2', { class: 'card-title', id: 'customer-list-title' });
  const list = h('ul', { class: 'record-list', 'aria-labelledby': 'customer-list-title', id: 'customer-list' });
  replaceChildren(root, form.element, h('section', { class: 'card' }, h('div', { class: 'list-head' }, heading), searchForm, list));

  function setSearch(city: string | null): void {
    search = city;
    searchInput.value = city ?? '';
    clear.hidden = city === null;
    void render();
  }

  async function render(): Promise<void> {
    const rows = search === null ? all : await table.where('City').equals(search).toArray();
    const sorted = [...rows].sort((a, b) => String(a['Name']).localeCompare(String(b['Name'])));
    heading.textContent =
      search === null ? `Customers (${sorted.length})` : `${sorted.length} ${sorted.length === 1 ? 'customer' : 'customers'} in “${search}”`;
    replaceChildren(list, ...(sorted.length === 0 ? [emptyState(search)] : sorted.map(customerRow)));
  }

  function customerRow(customer: VaultObject): HTMLElement {
    const name = String(customer['Name'] ?? '');
    return h(
      'li',
      { class: 'record', 'data-id': customer.id },
      h(
        'div',
        { class: 'record-main' },
        h('p', { class: 'record-title' }, name),
        h('p', { class: 'record-meta' }, String(customer['City'] ?? 'No city')),
      ),
      h('p', { class: 'record-figure' }, customer['CreditLimit'] === null ? '' : `€ ${formatDecimal(customer['CreditLimit'])}`),
      h(
        'div',
        { class: 'record-actions' },
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Edit ${name}`, onClick: () => form.edit(customer) }, 'Edit'),
        h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Delete ${name}`, onClick: () => void table.delete(customer.id) }, 'Delete'),
      ),
    );
  }

  vault.live(CUSTOMER).subscribe({
    next: (rows) => {
      all = rows;
      void render();
    },
  });
}

function emptyState(search: string | null): HTMLElement {
  return h('li', { class: 'empty' }, search === null ? 'No customers yet. Add one above.' : 'No customer in that city. The match is exact and case-sensitive.');
}
