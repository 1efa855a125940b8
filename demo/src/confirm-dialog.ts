import { h } from './dom.js';

interface ConfirmOptions {
  id: string;
  title: string;
  text: string;
  /** The safe choice (focused first). */
  keep: string;
  /** The destructive choice. */
  confirm: string;
}

/** A modal <dialog> (focus moves into it, Escape cancels); resolves true for the destructive choice. */
function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const dialog = h(
    'dialog',
    { class: 'dialog', id: options.id, 'aria-labelledby': `${options.id}-title`, 'aria-describedby': `${options.id}-text` },
    h('h2', { id: `${options.id}-title` }, options.title),
    h('p', { id: `${options.id}-text` }, options.text),
    h(
      'form',
      { method: 'dialog', class: 'dialog-actions' },
      h('button', { value: 'keep', class: 'btn', autofocus: true }, options.keep),
      h('button', { value: 'confirm', class: 'btn btn-danger-solid' }, options.confirm),
    ),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    dialog.showModal();
  });
}

/** Asks whether to sign out although `count` changes were not synced. Resolves true to discard them. */
export function confirmDiscard(count: number): Promise<boolean> {
  const what = `${count} ${count === 1 ? 'change' : 'changes'}`;
  return confirmDialog({
    id: 'discard-dialog',
    title: `Discard ${what}?`,
    text: `${what} on this device ${count === 1 ? 'has' : 'have'} not reached the server. Signing out deletes this device’s data, so ${count === 1 ? 'it' : 'they'} would be lost. Sync first to keep ${count === 1 ? 'it' : 'them'}.`,
    keep: 'Keep them',
    confirm: 'Discard and sign out',
  });
}

/** Asks whether to erase a locked vault whose passphrase or passkey is lost. Resolves true to erase. */
export function confirmErase(): Promise<boolean> {
  return confirmDialog({
    id: 'erase-dialog',
    title: 'Erase this device’s data?',
    text: 'Without the passphrase or passkey nobody can read this device’s copy, not even you. Erasing deletes it and signs you out; what was synced is still on the server, but changes not synced yet are lost.',
    keep: 'Cancel',
    confirm: 'Erase and sign out',
  });
}
