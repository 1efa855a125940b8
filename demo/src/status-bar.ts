import type { Vault } from 'offline-vault';
import { h, replaceChildren } from './dom.js';

/** The header chips: encryption, storage persistence, unsynced changes. */
export function renderStatus(root: HTMLElement, vault: Vault, pending: number): void {
  const chip = (tone: string, text: string, title: string) => h('li', { class: `status-chip tone-${tone}`, title }, text);
  replaceChildren(
    root,
    vault.encrypted
      ? chip('good', 'Encrypted at rest', 'Records, indexes and the outbox are sealed with AES-GCM under non-extractable keys.')
      : chip('warn', 'Not encrypted', 'This vault stores plaintext (encryption: { database: false }).'),
    vault.persisted === true
      ? chip('good', 'Storage persisted', 'The browser agreed not to evict this data.')
      : chip('neutral', 'Storage: best effort', 'The browser may evict this data under storage pressure.'),
    chip(pending > 0 ? 'info' : 'neutral', `${pending} unsynced ${pending === 1 ? 'change' : 'changes'}`, 'Local changes waiting in the outbox.'),
  );
}
