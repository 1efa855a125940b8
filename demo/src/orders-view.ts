import type { Vault, VaultObject } from 'offline-vault';
import { h, replaceChildren } from './dom.js';
import { formatDateTime, formatDecimal } from './format.js';
import { attributeField, referenceField, type FormField } from './form-field.js';
import { recordForm } from './record-form.js';
import { CUSTOMER, demoApp, LABELS, ORDER, ORDER_CUSTOMER, PHOTO } from './demo-app.js';
import { photosByOrder, savePhoto } from './order-photos.js';
import { PHOTO_FIELD, photoField } from './photo-field.js';
import { noPhoto, photoThumbnail } from './photo-thumbnail.js';
import type { EntityRights } from './user-rights.js';

const STATUSES = ['Open', 'Paid', 'Closed'] as const;

/**
 * The Orders tab: create / edit form (only the members this user may write) with a customer
 * picker and a photo, a status filter that reads through the blind index, and the list with each
 * order's photo. `canAddPhotos`: the user may create Sales.Photo objects.
 */
export function mountOrdersView(root: HTMLElement, vault: Vault, rights: EntityRights, canAddPhotos: boolean, signal: AbortSignal): void {
  const table = vault.table(ORDER);
  const entity = demoApp.entity(ORDER);
  const attr = (name: string) => entity.attributes.get(name)!;
  const customerField = referenceField('order', ORDER_CUSTOMER, LABELS[ORDER_CUSTOMER]!, true);
  const fields: FormField[] = [];
  const add = (member: string, field: () => FormField): void => {
    if (rights.writable(member)) fields.push(field());
  };
  add('Number', () => attributeField('order', attr('Number'), LABELS['Number']!, undefined, true));
  add(ORDER_CUSTOMER, () => customerField);
  add('Status', () => attributeField('order', attr('Status'), LABELS['Status']!, undefined, true));
  add('TotalPrice', () => attributeField('order', attr('TotalPrice'), LABELS['TotalPrice']!, 'In euros.'));
  add('PlacedAt', () => attributeField('order', attr('PlacedAt'), LABELS['PlacedAt']!));
  add('Paid', () => attributeField('order', attr('Paid'), LABELS['Paid']!));
  if (canAddPhotos) fields.push(photoField('order', LABELS[PHOTO_FIELD]!));
  const form = recordForm({
    id: 'order-form',
    entity,
    noun: 'order',
    fields,
    required: ['Number', 'Status', ORDER_CUSTOMER],
    allowCreate: rights.create,
    save: async ({ [PHOTO_FIELD]: photo, ...values }, id) => {
      let orderId = id;
      if (orderId === null) orderId = await table.put(values);
      else await table.update(orderId, values);
      if (!(photo instanceof File)) return;
      const existing = photos.get(orderId);
      const photoId = await savePhoto(vault, orderId, photo, existing);
      if (existing !== undefined) revisions.set(photoId, (revisions.get(photoId) ?? 0) + 1);
    },
  });

  let status: string | null = null;
  let all: VaultObject[] = [];
  let photos = new Map<string, VaultObject>();
  /** Photos replaced on this page, so their thumbnails load the new contents. */
  const revisions = new Map<string, number>();
  let customers = new Map<string, string>();
  const filterButtons = [null, ...STATUSES].map((value) =>
    h('button', { type: 'button', class: 'chip', 'aria-pressed': String(value === null), onClick: () => setStatus(value) }, value ?? 'All'),
  );
  const heading = h('h2', { class: 'card-title', id: 'order-list-title' });
  const list = h('ul', { class: 'record-list', 'aria-labelledby': 'order-list-title', id: 'order-list' });
  replaceChildren(
    root,
    form.element,
    h(
      'section',
      { class: 'card' },
      h('div', { class: 'list-head' }, heading),
      h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by status (blind index)' }, ...filterButtons),
      list,
    ),
  );

  function setStatus(value: string | null): void {
    status = value;
    filterButtons.forEach((button, i) => button.setAttribute('aria-pressed', String((i === 0 ? null : STATUSES[i - 1]) === value)));
    void render();
  }

  async function render(): Promise<void> {
    const rows = status === null ? all : await table.where('Status').equals(status).toArray();
    const sorted = [...rows].sort((a, b) => Number(b['Number']) - Number(a['Number']));
    heading.textContent = status === null ? `Orders (${sorted.length})` : `${status} orders (${sorted.length})`;
    replaceChildren(list, ...(sorted.length === 0 ? [h('li', { class: 'empty' }, status === null ? 'No orders on this device.' : `No ${status.toLowerCase()} orders on this device.`)] : sorted.map(orderRow)));
  }

  function orderRow(order: VaultObject): HTMLElement {
    const customerId = order[ORDER_CUSTOMER];
    const customer = typeof customerId === 'string' ? (customers.get(customerId) ?? 'Unknown customer') : 'No customer';
    const label = `order ${String(order['Number'])}`;
    const photo = photos.get(order.id);
    return h(
      'li',
      { class: 'record', 'data-id': order.id },
      photo === undefined ? noPhoto() : photoThumbnail(vault, photo.id, `Photo of ${label}`, revisions.get(photo.id)),
      h(
        'div',
        { class: 'record-main' },
        h('p', { class: 'record-title' }, `#${String(order['Number'])} · ${customer}`),
        h('p', { class: 'record-meta' }, [formatDateTime(order['PlacedAt']) || 'No date', order['Paid'] === true ? 'paid' : null].filter(Boolean).join(' · ')),
      ),
      h(
        'div',
        { class: 'record-figure' },
        h('span', { class: `badge badge-${String(order['Status']).toLowerCase()}` }, String(order['Status'])),
        order['TotalPrice'] === null ? null : h('span', {}, `€ ${formatDecimal(order['TotalPrice'])}`),
      ),
      h(
        'div',
        { class: 'record-actions' },
        rights.canEdit ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Edit ${label}`, onClick: () => form.edit(order) }, 'Edit') : null,
        rights.delete
          ? h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Delete ${label}`, onClick: () => void table.delete(order.id) }, 'Delete')
          : null,
      ),
    );
  }

  const subscriptions = [
    vault.live(CUSTOMER).subscribe({
      next: (rows) => {
        customers = new Map(rows.map((c) => [c.id, String(c['Name'])]));
        customerField.setOptions([...customers].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label)));
        void render();
      },
    }),
    vault.live(PHOTO).subscribe({
      next: (rows) => {
        photos = photosByOrder(rows);
        void render();
      },
    }),
    vault.live(ORDER).subscribe({
      next: (rows) => {
        all = rows;
        void render();
      },
    }),
  ];
  signal.addEventListener('abort', () => subscriptions.forEach((s) => s.unsubscribe()));
}
