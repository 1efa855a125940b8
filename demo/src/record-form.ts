import { isVaultError, type VaultObject } from 'offline-vault';
import { normalizeAttribute, type EntityDef } from 'offline-vault/app';
import { h } from './dom.js';
import type { FormField } from './form-field.js';
import { validationMessage } from './validation-message.js';

export interface RecordFormOptions {
  id: string;
  entity: EntityDef;
  noun: string;
  fields: FormField[];
  /** Members that must not be empty (the app's own rules come on top). */
  required?: readonly string[];
  /** Whether new objects may be created; if not, the form shows only while editing. */
  allowCreate?: boolean;
  /** Writes the values; `id` is null for a new object. */
  save(values: Record<string, unknown>, id: string | null): Promise<void>;
}

/** A create / edit form for one entity: validates every field before writing, shows messages next to them. */
export interface RecordForm {
  readonly element: HTMLElement;
  /** Fills the form with `object` to edit it, or clears it for a new one. */
  edit(object: VaultObject | null): void;
}

/** Builds a record form (see RecordForm). */
export function recordForm(options: RecordFormOptions): RecordForm {
  const { entity, fields, noun } = options;
  const required = new Set(options.required ?? []);
  const allowCreate = options.allowCreate ?? true;
  let editingId: string | null = null;
  const title = h('h2', { class: 'card-title', id: `${options.id}-title` }, `New ${noun}`);
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, `Add ${noun}`);
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost', hidden: true, onClick: () => edit(null) }, 'Cancel');
  const form = h(
    'form',
    { class: 'card form', id: options.id, 'aria-labelledby': `${options.id}-title`, noValidate: true },
    title,
    h('div', { class: 'form-grid' }, ...fields.map((f) => f.element)),
    h('div', { class: 'form-actions' }, submit, cancel, status),
  );

  function edit(object: VaultObject | null): void {
    editingId = object?.id ?? null;
    for (const field of fields) {
      field.setError(null);
      field.write(object === null ? null : object[field.member]);
    }
    title.textContent = object === null ? `New ${noun}` : `Edit ${noun}`;
    submit.textContent = object === null ? `Add ${noun}` : 'Save changes';
    cancel.hidden = object === null;
    form.classList.toggle('is-editing', object !== null);
    form.hidden = object === null && !allowCreate;
    if (object !== null) fields[0]?.focus();
  }

  /** Checks every field with the app definition's own rules, so all messages show at once. */
  function validate(values: Record<string, unknown>): boolean {
    let firstInvalid: FormField | null = null;
    for (const field of fields) {
      const attr = entity.attributes.get(field.member);
      let message: string | null = null;
      const value = values[field.member];
      if (required.has(field.member) && (value === null || value === undefined || value === '')) {
        message = validationMessage('required', attr);
      } else if (attr !== undefined) {
        try {
          normalizeAttribute(attr, values[field.member], { entity: entity.name, member: field.member });
        } catch (error) {
          message = validationMessage(isVaultError(error) ? error.details['rule'] : undefined, attr);
        }
      }
      field.setError(message);
      if (message !== null) firstInvalid ??= field;
    }
    firstInvalid?.focus();
    return firstInvalid === null;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = Object.fromEntries(fields.map((f) => [f.member, f.read()]));
    status.textContent = '';
    if (!validate(values)) return;
    const wasEditing = editingId !== null;
    submit.disabled = true;
    options
      .save(values, editingId)
      .then(() => {
        edit(null);
        status.textContent = wasEditing ? `${capitalize(noun)} saved.` : `${capitalize(noun)} added.`;
      })
      .catch((error: unknown) => showSaveError(error))
      .finally(() => (submit.disabled = false));
  });

  function showSaveError(error: unknown): void {
    const member = isVaultError(error) ? error.details['member'] : undefined;
    const field = fields.find((f) => f.member === member);
    if (field !== undefined && isVaultError(error)) {
      field.setError(validationMessage(error.details['rule'], entity.attributes.get(field.member)));
      field.focus();
    } else {
      status.textContent = isVaultError(error) ? `Not saved: ${error.code}.` : 'Not saved: the database refused the change.';
    }
  }

  edit(null);
  return { element: form, edit };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
