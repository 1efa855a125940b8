import { databaseName, openVault, type Vault } from 'offline-vault';
import { mountAttackerPanel } from './attacker-panel.js';
import { mountCustomersView } from './customers-view.js';
import { coalesce, h, replaceChildren } from './dom.js';
import { mountOrdersView } from './orders-view.js';
import { CUSTOMER, ORDER, salesApp } from './sales-app.js';
import { addSampleData } from './sample-data.js';
import { renderStatus } from './status-bar.js';
import { wireTabs } from './tabs.js';

const byId = (id: string): HTMLElement => document.getElementById(id)!;

/** `?encryption=off` opens a separate plaintext vault, to compare what the attacker panel shows. */
const encrypted = new URLSearchParams(location.search).get('encryption') !== 'off';
const name = encrypted ? 'sales' : 'sales-plaintext';

async function start(): Promise<void> {
  let vault: Vault;
  try {
    vault = await openVault({ name, app: salesApp, encryption: { database: encrypted } });
  } catch (error) {
    showFatal(error);
    return;
  }
  wireTabs(document.querySelector<HTMLElement>('[role="tablist"]')!);
  mountCustomersView(byId('panel-customers'), vault);
  mountOrdersView(byId('panel-orders'), vault);
  const panel = mountAttackerPanel(byId('attacker'), vault, databaseName(name));
  mountHeaderActions(vault);

  const refresh = coalesce(async () => {
    renderStatus(byId('status'), vault, await vault.pendingChanges());
    await panel.refresh();
  });
  for (const entity of [CUSTOMER, ORDER]) vault.live(entity).subscribe({ next: refresh });
}

function mountHeaderActions(vault: Vault): void {
  const sample = h('button', { type: 'button', class: 'btn btn-small btn-on-dark', onClick: () => void addSampleData(vault) }, 'Add sample data');
  const other = h(
    'a',
    { class: 'header-link', href: encrypted ? '?encryption=off' : './' },
    encrypted ? 'Compare: encryption off' : 'Back to the encrypted vault',
  );
  document.querySelector('.topbar')!.append(h('div', { class: 'header-actions' }, sample, other));
}

function showFatal(error: unknown): void {
  const name = (error as { name?: string }).name;
  const message =
    name === 'KeyLostError'
      ? 'The keys of this vault are gone, so its data cannot be decrypted. The encrypted data was left untouched.'
      : 'The vault could not be opened in this browser.';
  replaceChildren(byId('app-main'), h('section', { class: 'card fatal', role: 'alert' }, h('h2', {}, 'Cannot open the vault'), h('p', {}, message), h('p', { class: 'muted' }, `Error: ${name ?? 'unknown'}`)));
}

void start();
