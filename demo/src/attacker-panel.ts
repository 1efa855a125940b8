import type { PendingChange, Vault } from 'offline-vault';
import { h, replaceChildren, type Child } from './dom.js';
import { shortId } from './format.js';
import { readRawDatabase, type RawStore } from './raw-database.js';
import { rawFieldNote, rawValue, type ByteFormat } from './raw-value.js';

/**
 * "What an attacker with the browser profile sees": every object store of the vault's database,
 * read through the raw IndexedDB API, beside what the app reads through the vault.
 */
export function mountAttackerPanel(root: HTMLElement, vault: Vault, databaseName: string): { refresh(): Promise<void> } {
  let format: ByteFormat = 'hex';
  const formatButtons = (['hex', 'base64'] as const).map((value) =>
    h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': String(value === format), onClick: () => setFormat(value) }, value === 'hex' ? 'Hex' : 'Base64'),
  );
  const body = h('div', { class: 'stores', id: 'raw-stores', 'aria-live': 'polite', 'aria-busy': 'true' });
  const lede = h('p', { class: 'attacker-lede' });
  const showLede = (): void =>
    replaceChildren(
      lede,
      'Every object store of ',
      h('code', {}, databaseName),
      vault.encrypted
        ? ', read with the browser’s own IndexedDB API and no keys. On the right, what the app reads after decryption.'
        : '. Encryption is off in this vault: everything on disk is readable as is.',
    );
  showLede();
  replaceChildren(
    root,
    h(
      'div',
      { class: 'attacker-head' },
      h('h2', { id: 'attacker-title' }, 'What an attacker with the browser profile sees'),
      lede,
      h(
        'div',
        { class: 'attacker-tools' },
        h('div', { class: 'seg', role: 'group', 'aria-label': 'Show bytes as' }, ...formatButtons),
        h('button', { type: 'button', class: 'btn btn-small', onClick: () => void refresh() }, 'Refresh'),
      ),
    ),
    body,
  );

  function setFormat(value: ByteFormat): void {
    format = value;
    formatButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.textContent?.toLowerCase() === value)));
    void refresh();
  }

  async function refresh(): Promise<void> {
    showLede();
    const [stores, outbox] = await Promise.all([readRawDatabase(databaseName), vault.outbox()]);
    const sections = await Promise.all(stores.map((store) => storeSection(store, outbox)));
    replaceChildren(body, ...sections);
    body.setAttribute('aria-busy', 'false');
  }

  async function storeSection(store: RawStore, outbox: PendingChange[]): Promise<HTMLElement> {
    const indexed = new Set(store.indexedFields);
    const rows = await Promise.all(store.rows.map(async (row) => rawRow(row.key, row.value, indexed, await appView(store.name, row.key, row.value, outbox))));
    const more = store.count - store.rows.length;
    return h(
      'details',
      { class: 'store', open: store.count > 0 && vault.app.entities.has(store.name), 'data-store': store.name },
      h(
        'summary',
        {},
        h('span', { class: 'store-name' }, store.name),
        h('span', { class: 'pill' }, `${store.count} ${store.count === 1 ? 'row' : 'rows'}`),
        store.indexes.length > 0 ? h('span', { class: 'store-indexes' }, `indexes: ${store.indexes.join(', ')}`) : null,
      ),
      store.count === 0 ? h('p', { class: 'empty' }, 'Empty.') : null,
      ...rows,
      more > 0 ? h('p', { class: 'muted' }, `… and ${more} more`) : null,
    );
  }

  function rawRow(key: IDBValidKey, value: unknown, indexed: ReadonlySet<string>, app: Child): HTMLElement {
    const fields: Array<[string, unknown]> =
      typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)
        ? Object.entries(value)
        : [['value', value]];
    return h(
      'div',
      { class: 'raw-row', 'data-key': String(key) },
      h(
        'div',
        { class: 'raw-side' },
        h('p', { class: 'side-label' }, 'On disk'),
        h('dl', {}, ...fields.flatMap(([name, v]) => [h('dt', {}, name, noteFor(name, v, indexed)), h('dd', {}, rawValue(v, format))])),
      ),
      h('div', { class: 'plain-side' }, h('p', { class: 'side-label' }, 'App sees'), app),
    );
  }

  /** What the vault returns for a raw row. */
  async function appView(store: string, key: IDBValidKey, value: unknown, outbox: PendingChange[]): Promise<Child> {
    if (store === '_keyring') return h('p', { class: 'muted' }, keyringNote(key, value));
    if (store === '_meta') return h('p', { class: 'muted' }, 'Bookkeeping: no app data.');
    const note = BOOKKEEPING[store];
    if (note !== undefined) return h('p', { class: 'muted' }, note);
    if (store === '_outbox') {
      const changes = outbox.filter((c) => c.seq === key);
      if (changes.length === 0) return h('p', { class: 'muted' }, 'Synced or unreadable.');
      return h(
        'ul',
        { class: 'changes' },
        ...changes.map((c) => h('li', {}, h('strong', {}, c.op), ` ${c.entity} ${shortId(c.id)}`, c.members.length > 0 ? ` · ${c.members.join(', ')}` : '')),
      );
    }
    if (typeof key !== 'string' || !vault.app.entities.has(store)) return null;
    try {
      const object = await vault.table(store).get(key);
      if (object === undefined) return h('p', { class: 'muted' }, 'Not found.');
      return h(
        'dl',
        {},
        ...Object.entries(object)
          .filter(([name]) => name !== 'id')
          .flatMap(([name, v]) => [h('dt', {}, name), h('dd', {}, v === null ? h('span', { class: 'muted' }, 'empty') : String(v))]),
      );
    } catch (error) {
      return h('p', { class: 'error-text' }, `Cannot read: ${(error as Error).name}`);
    }
  }

  return { refresh };
}

/** What a `_keyring` row is, by its name (rows differ per protection level). */
function keyringNote(key: IDBValidKey, value: unknown): string {
  const name = String(key);
  const row = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (name.startsWith('slot:')) return 'An unlock method: the master key wrapped by a key derived from your passphrase or passkey, and its salt.';
  if (name.startsWith('budget:')) return 'How many encryptions this key generation has done (rotation comes before the limit).';
  if (row['wrapped'] !== undefined) return 'A data key, wrapped by the master key: useless without unlocking.';
  return 'Used by WebCrypto inside the browser; script cannot export it.';
}

/** What the vault's bookkeeping stores hold (the app never reads them as objects). */
const BOOKKEEPING: Record<string, string> = {
  _syncState: 'Sync checkpoints and the client id, sealed.',
  _versions: 'The server’s version of each synced object, so a sync transfers only what changed.',
  _syncErrors: 'Rejected changes with their content, sealed (see Sync issues).',
  _files: 'File metadata, sealed.',
  _fileChunks: 'File contents in sealed chunks.',
};

function noteFor(field: string, value: unknown, indexed: ReadonlySet<string>): Child {
  const note = rawFieldNote(field, value, indexed);
  return note === null ? null : h('span', { class: 'field-note' }, note);
}
