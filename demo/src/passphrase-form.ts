import { h } from './dom.js';

/** Shortest passphrase the demo accepts (a UI rule; the SDK only refuses an empty one). */
export const MIN_PASSPHRASE_LENGTH = 8;

/** Where a submit failure is shown: under the current-passphrase field, or for the whole form. */
export interface PassphraseProblem {
  field: 'current' | 'form';
  message: string;
}

/** Options of `passphraseForm`. */
export interface PassphraseFormOptions {
  id: string;
  title: string;
  /** One line under the title. */
  lede: string;
  /** The account name, for password managers (a hidden username field). */
  user: string;
  /** Ask for the current passphrase first (changing it). */
  askCurrent: boolean;
  submitLabel: string;
  /** Runs with valid input; resolves a problem to show, or null when done. */
  submit(values: { current: string; next: string }): Promise<PassphraseProblem | null>;
  onCancel(): void;
}

interface PasswordField {
  element: HTMLElement;
  input: HTMLInputElement;
  setError(message: string | null): void;
}

function passwordField(id: string, label: string, autocomplete: string, hint?: string): PasswordField {
  const input = h('input', { id, type: 'password', autocomplete, required: true, spellcheck: false });
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const hintEl = hint === undefined ? null : h('p', { class: 'field-hint', id: `${id}-hint` }, hint);
  input.setAttribute('aria-describedby', [hintEl === null ? '' : `${id}-hint`, `${id}-error`].filter(Boolean).join(' '));
  const element = h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl, error);
  return {
    element,
    input,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = message === null;
      element.classList.toggle('has-error', message !== null);
      if (message === null) input.removeAttribute('aria-invalid');
      else input.setAttribute('aria-invalid', 'true');
    },
  };
}

/**
 * A passphrase form: (current,) new and repeated passphrase with validation messages under the
 * fields; the submit button is busy while `submit` runs (deriving a key takes a moment).
 */
export function passphraseForm(options: PassphraseFormOptions): { element: HTMLFormElement; focus(): void } {
  const { id } = options;
  const current = options.askCurrent ? passwordField(`${id}-current`, 'Current passphrase', 'current-password') : null;
  const next = passwordField(`${id}-new`, options.askCurrent ? 'New passphrase' : 'Passphrase', 'new-password', `At least ${MIN_PASSPHRASE_LENGTH} characters. A few unrelated words work well.`);
  const repeat = passwordField(`${id}-repeat`, 'Repeat the passphrase', 'new-password');
  const status = h('p', { class: 'field-error form-problem', role: 'alert', hidden: true });
  const submitButton = h('button', { type: 'submit', class: 'btn btn-primary' }, options.submitLabel);
  const form = h(
    'form',
    { class: 'subform', id, 'aria-labelledby': `${id}-title`, novalidate: true },
    h('h3', { class: 'subform-title', id: `${id}-title` }, options.title),
    h('p', { class: 'check-text' }, options.lede),
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: options.user, hidden: true, readOnly: true }),
    current?.element,
    next.element,
    repeat.element,
    status,
    h('div', { class: 'form-actions' }, submitButton, h('button', { type: 'button', class: 'btn btn-ghost', onClick: options.onCancel }, 'Cancel')),
  );

  const validate = (): boolean => {
    const problems: Array<[PasswordField, string | null]> = [
      ...(current === null ? [] : [[current, current.input.value === '' ? 'Enter your current passphrase.' : null] as [PasswordField, string | null]]),
      [next, next.input.value.length < MIN_PASSPHRASE_LENGTH ? `Use at least ${MIN_PASSPHRASE_LENGTH} characters.` : null],
      [repeat, repeat.input.value === '' ? 'Repeat the passphrase.' : repeat.input.value !== next.input.value ? 'The passphrases do not match.' : null],
    ];
    for (const [field, message] of problems) field.setError(message);
    const first = problems.find(([, message]) => message !== null);
    first?.[0].input.focus();
    return first === undefined;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.hidden = true;
    if (!validate()) return;
    void run();
  });

  async function run(): Promise<void> {
    submitButton.disabled = true;
    submitButton.setAttribute('aria-busy', 'true');
    try {
      const problem = await options.submit({ current: current?.input.value ?? '', next: next.input.value });
      if (problem === null) {
        form.reset();
        return;
      }
      if (problem.field === 'current' && current !== null) {
        current.setError(problem.message);
        current.input.select();
        current.input.focus();
      } else {
        status.textContent = problem.message;
        status.hidden = false;
      }
    } finally {
      submitButton.disabled = false;
      submitButton.removeAttribute('aria-busy');
    }
  }

  return { element: form, focus: () => (current ?? next).input.focus() };
}
