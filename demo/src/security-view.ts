import { databaseName, type Vault } from 'offline-vault';
import { mountAttackerPanel } from './attacker-panel.js';
import { demoApp, LABELS, NOUNS } from './demo-app.js';
import { h, replaceChildren } from './dom.js';
import { entityRights } from './user-rights.js';

/**
 * The Security tab: the protection level of this device's data, which members the user's roles
 * never receive, and the raw-storage viewer (what an attacker with the browser profile sees).
 */
export function mountSecurityView(root: HTMLElement, vault: Vault, roles: readonly string[]): { refresh(): Promise<void> } {
  const dbName = databaseName(vault.name);
  const withheld = [...demoApp.entities.values()]
    .filter((e) => e.persistent)
    .flatMap((e) => {
      const rights = entityRights(demoApp, e.name, roles);
      const members = [...e.attributes.keys(), ...e.references.keys()].filter((m) => !rights.readable(m));
      return members.length === 0 ? [] : [{ entity: e.name, members }];
    });

  const item = (ok: boolean | null, title: string, text: string): HTMLElement =>
    h(
      'li',
      { class: `check ${ok === true ? 'is-ok' : ok === false ? 'is-warn' : 'is-neutral'}` },
      h('span', { class: 'check-mark', 'aria-hidden': 'true' }, ok === true ? '✓' : ok === false ? '!' : '•'),
      h('div', {}, h('p', { class: 'check-title' }, title), h('p', { class: 'check-text' }, text)),
    );

  const level = vault.encrypted ? 'Encrypted at rest' : 'Not encrypted';
  const protection = h(
    'section',
    { class: 'card', 'aria-labelledby': 'protection-title', id: 'protection' },
    h(
      'div',
      { class: 'protection-head' },
      h('h2', { class: 'card-title', id: 'protection-title' }, 'Protection on this device'),
      h('span', { class: `level ${vault.encrypted ? 'level-good' : 'level-warn'}`, id: 'protection-level' }, level),
    ),
    h(
      'ul',
      { class: 'checks' },
      item(
        vault.encrypted,
        vault.encrypted ? 'Records, indexes and pending changes are sealed' : 'Records are stored as plaintext',
        vault.encrypted
          ? 'AES-GCM per record, bound to its entity and id. Searchable fields use blind indexes (HMAC), never readable values.'
          : 'This vault was opened with encryption off.',
      ),
      item(
        vault.encrypted ? true : null,
        'Keys cannot leave the browser',
        'Non-extractable WebCrypto keys, stored in this vault’s database: script (including this app) can use them but never read them.',
      ),
      item(
        vault.persisted === true ? true : null,
        vault.persisted === true ? 'Storage is persisted' : 'Storage is best effort',
        vault.persisted === true ? 'The browser agreed not to evict this data under storage pressure.' : 'The browser may evict this data under storage pressure; unsynced changes would be lost.',
      ),
      item(
        true,
        withheld.length === 0 ? 'Your roles may read every field' : 'Fields you may not read never reach this device',
        withheld.length === 0
          ? 'The server sends every member of the objects you may read.'
          : `The server leaves them out of every response: ${withheld.map((w) => `${NOUNS[w.entity]?.[0] ?? w.entity} ${w.members.map((m) => (LABELS[m] ?? m).toLowerCase()).join(', ')}`).join('; ')}.`,
      ),
      item(null, 'Sign-out wipes this device', `Signing out deletes the database ${dbName}: data, files, keys and sync state.`),
    ),
  );
  // The audit lives inside the protection card: the tab lays out two columns (card, raw storage).
  const audit = h('div', { class: 'audit', id: 'audit', 'aria-labelledby': 'audit-title' });
  protection.append(audit);
  const attacker = h('section', { class: 'attacker', 'aria-labelledby': 'attacker-title' });
  replaceChildren(root, protection, attacker);
  const panel = mountAttackerPanel(attacker, vault, dbName);
  const refreshAudit = async (): Promise<void> => {
    const report = await vault.verifyEncryption();
    const rows = report.stores
      .filter((s) => s.rows > 0)
      .map((s) =>
        h(
          'tr',
          {},
          h('td', {}, s.name),
          h('td', {}, String(s.rows)),
          h('td', {}, String(s.sealed)),
          h('td', {}, String(s.plainByDesign)),
          h('td', { class: s.unexpectedPlaintext > 0 ? 'audit-bad' : '' }, String(s.unexpectedPlaintext)),
        ),
      );
    replaceChildren(
      audit,
      h(
        'div',
        { class: 'protection-head' },
        h('h3', { class: 'card-title', id: 'audit-title' }, 'Storage audit'),
        h('span', { class: `level ${report.ok ? 'level-good' : 'level-warn'}`, id: 'audit-result' }, report.ok ? 'Nothing exposed' : 'Plaintext found'),
      ),
      h(
        'p',
        { class: 'check-text' },
        'verifyEncryption() read every store of this database through the raw IndexedDB API: sealed values, values that are plain by design (key handles, version tokens), and plaintext where a sealed value was expected.',
      ),
      h(
        'table',
        { class: 'audit-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Store'), h('th', {}, 'Rows'), h('th', {}, 'Sealed'), h('th', {}, 'Plain by design'), h('th', {}, 'Exposed'))),
        h('tbody', {}, ...rows),
      ),
    );
  };
  return { refresh: async () => void (await Promise.all([panel.refresh(), refreshAudit()])) };
}
