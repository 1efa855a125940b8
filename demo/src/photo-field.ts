import { h } from './dom.js';
import type { FormField } from './form-field.js';

/** Form member under which the photo field reports the chosen file (not a member of Sales.Order). */
export const PHOTO_FIELD = 'Photo';

/**
 * A photo picker for a record form: the camera on phones (`capture`), a file dialog elsewhere.
 * `read()` is the chosen File, or null to keep the order's current photo. A preview shows the
 * choice before it is saved.
 */
export function photoField(formId: string, label: string): FormField {
  const id = `${formId}-photo`;
  const input = h('input', { id, name: PHOTO_FIELD, type: 'file', accept: 'image/*', capture: 'environment', 'aria-describedby': `${id}-hint ${id}-error` });
  const preview = h('img', { class: 'photo-preview', alt: '', hidden: true });
  const hint = h('p', { class: 'field-hint', id: `${id}-hint` }, 'Take a picture or choose an image. Stored encrypted on this device.');
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const element = h('div', { class: 'field field-photo' }, h('label', { for: id }, label), h('div', { class: 'photo-pick' }, preview, input), hint, error);

  let previewUrl: string | null = null;
  const showPreview = (file: File | null): void => {
    if (previewUrl !== null) URL.revokeObjectURL(previewUrl);
    previewUrl = file === null ? null : URL.createObjectURL(file);
    preview.hidden = previewUrl === null;
    if (previewUrl === null) preview.removeAttribute('src');
    else preview.src = previewUrl;
  };
  input.addEventListener('change', () => showPreview(input.files?.[0] ?? null));

  return {
    member: PHOTO_FIELD,
    element,
    read: () => input.files?.[0] ?? null,
    write: () => {
      // The form is cleared or filled with another order: forget the choice.
      input.value = '';
      showPreview(null);
    },
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = message === null;
      element.classList.toggle('has-error', message !== null);
    },
    focus: () => input.focus(),
  };
}
