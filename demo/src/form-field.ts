import type { AttributeDef } from 'offline-vault/app';
import { h } from './dom.js';

/** One labelled form control with its error slot. */
export interface FormField {
  readonly member: string;
  readonly element: HTMLElement;
  /** The control's value in the form the vault accepts (null when empty). */
  read(): unknown;
  /** Shows a stored value (as read from the vault). */
  write(value: unknown): void;
  setError(message: string | null): void;
  focus(): void;
}

interface Control {
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  read(): unknown;
  write(value: unknown): void;
}

/** A form field for an attribute, with the control its type calls for. */
export function attributeField(formId: string, attr: AttributeDef, label: string, hint?: string, required = attr.required): FormField {
  const id = `${formId}-${attr.name}`;
  return wrap(id, attr.name, label, required, attributeControl(id, attr, required), hint);
}

/** A select with fixed choices for a string attribute (e.g. the account manager). */
export function choiceField(formId: string, member: string, label: string, choices: ReadonlyArray<{ value: string; label: string }>, hint?: string): FormField {
  const id = `${formId}-${member.replace(/\W/g, '-')}`;
  const select = h('select', { id, name: member }, h('option', { value: '' }, '— none —'), ...choices.map((c) => h('option', { value: c.value }, c.label)));
  return wrap(
    id,
    member,
    label,
    false,
    { input: select, read: () => select.value || null, write: (value) => (select.value = typeof value === 'string' ? value : '') },
    hint,
  );
}

/** A select for a reference member; `setOptions` refreshes the choices and keeps the selection. */
export function referenceField(formId: string, member: string, label: string, required = false): FormField & { setOptions(options: Array<{ value: string; label: string }>): void } {
  const id = `${formId}-${member.replace(/\W/g, '-')}`;
  const select = h('select', { id, name: member });
  const field = wrap(id, member, label, required, {
    input: select,
    read: () => select.value || null,
    write: (value) => (select.value = typeof value === 'string' ? value : ''),
  });
  return {
    ...field,
    setOptions(options) {
      const selected = select.value;
      select.replaceChildren(h('option', { value: '' }, '— none —'), ...options.map((o) => h('option', { value: o.value }, o.label)));
      select.value = selected;
    },
  };
}

function attributeControl(id: string, attr: AttributeDef, required: boolean): Control {
  const common = { id, name: attr.name, required };
  switch (attr.type) {
    case 'boolean': {
      const input = h('input', { ...common, type: 'checkbox', required: false });
      return { input, read: () => input.checked, write: (v) => (input.checked = v === true) };
    }
    case 'enum': {
      const select = h('select', common, h('option', { value: '' }, '— choose —'));
      for (const value of attr.values ?? []) select.append(h('option', { value }, value));
      return { input: select, read: () => select.value || null, write: (v) => (select.value = typeof v === 'string' ? v : '') };
    }
    case 'datetime': {
      const input = h('input', { ...common, type: 'datetime-local' });
      return { input, read: () => (input.value ? new Date(input.value) : null), write: (v) => (input.value = toLocalInput(v)) };
    }
    case 'integer':
    case 'long': {
      const input = h('input', { ...common, type: 'text', inputmode: 'numeric', autocomplete: 'off' });
      // Digits become numbers; anything else is passed on so the vault's validation names it.
      const read = (): unknown => {
        const text = input.value.trim();
        return text === '' ? null : /^-?\d+$/.test(text) ? Number(text) : text;
      };
      return { input, read, write: (v) => (input.value = v === null || v === undefined ? '' : String(v)) };
    }
    case 'decimal': {
      const input = h('input', { ...common, type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00' });
      return { input, read: () => input.value.trim() || null, write: (v) => (input.value = v === null || v === undefined ? '' : String(v)) };
    }
    default: {
      const long = (attr.maxLength ?? 0) > 200;
      const input = long ? h('textarea', { ...common, rows: 3 }) : h('input', { ...common, type: 'text', autocomplete: 'off' });
      if (attr.maxLength !== undefined) input.setAttribute('maxlength', String(attr.maxLength + 20)); // let the vault report overruns
      return { input, read: () => input.value.trim() || null, write: (v) => (input.value = typeof v === 'string' ? v : '') };
    }
  }
}

function wrap(id: string, member: string, label: string, required: boolean, control: Control, hint?: string): FormField {
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const hintEl = hint === undefined ? null : h('p', { class: 'field-hint', id: `${id}-hint` }, hint);
  const isCheckbox = control.input instanceof HTMLInputElement && control.input.type === 'checkbox';
  control.input.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' '));
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null);
  const element = isCheckbox
    ? h('div', { class: 'field field-check' }, control.input, labelEl, hintEl, error)
    : h('div', { class: 'field' }, labelEl, control.input, hintEl, error);
  return {
    member,
    element,
    read: control.read,
    write: control.write,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = message === null;
      element.classList.toggle('has-error', message !== null);
      if (message === null) control.input.removeAttribute('aria-invalid');
      else control.input.setAttribute('aria-invalid', 'true');
    },
    focus: () => control.input.focus(),
  };
}

/** An ISO string as the value of a datetime-local input (local time, minutes). */
function toLocalInput(value: unknown): string {
  if (typeof value !== 'string') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
