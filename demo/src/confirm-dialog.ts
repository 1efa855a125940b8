import { h } from './dom.js';

/**
 * Asks whether to sign out although `count` changes were not synced (a modal <dialog>: focus
 * moves into it, Escape cancels). Resolves true to discard them.
 */
export function confirmDiscard(count: number): Promise<boolean> {
  const what = `${count} ${count === 1 ? 'change' : 'changes'}`;
  const dialog = h(
    'dialog',
    { class: 'dialog', id: 'discard-dialog', 'aria-labelledby': 'discard-title', 'aria-describedby': 'discard-text' },
    h('h2', { id: 'discard-title' }, `Discard ${what}?`),
    h(
      'p',
      { id: 'discard-text' },
      `${what} on this device ${count === 1 ? 'has' : 'have'} not reached the server. Signing out deletes this device’s data, so ${count === 1 ? 'it' : 'they'} would be lost. Sync first to keep ${count === 1 ? 'it' : 'them'}.`,
    ),
    h(
      'form',
      { method: 'dialog', class: 'dialog-actions' },
      h('button', { value: 'keep', class: 'btn', autofocus: true }, 'Keep them'),
      h('button', { value: 'discard', class: 'btn btn-danger-solid' }, 'Discard and sign out'),
    ),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'discard');
      dialog.remove();
    });
    dialog.showModal();
  });
}
