import { ValidationError } from '../core/errors.js';
import type { KeyRow, SlotRow } from './keyring-rows.js';
import type { VaultMeta } from './keyring-store.js';
import { createSlot, openSlot, slotName, type PasskeyOptions, type ProtectionTarget, type UnlockCredential } from './unlock-slots.js';
import type { VaultKeys } from './vault-keys.js';

/** An unlock method as the app may list it (no secrets). */
export interface UnlockMethod {
  id: number;
  kind: 'passphrase' | 'passkey';
  created: string;
}

/** Slot management of a passphrase / passkey vault. */
export interface UnlockMethods {
  addUnlockMethod(target: ProtectionTarget, options: { current: UnlockCredential }): Promise<UnlockMethod>;
  removeUnlockMethod(id: number, options: { current: UnlockCredential }): Promise<void>;
  changePassphrase(options: { current: string; next: string }): Promise<void>;
  unlockMethods(): UnlockMethod[];
}

function requireWrapped(level: string): void {
  if (level !== 'passphrase' && level !== 'passkey') {
    throw new ValidationError('not-protected', 'Unlock methods exist at the passphrase and passkey levels only; call setProtection first', { level });
  }
}

function materialOrUndefined(keys: VaultKeys) {
  return keys.locked ? undefined : keys.material();
}

/**
 * Adding, removing and changing slots. Every operation proves a current credential first (a
 * person at an unlocked device cannot take it over), rewraps only the VMK, and commits through
 * `commit` (epoch-checked); data envelopes and data-key blobs are never touched.
 */
export function createUnlockMethods(ctx: {
  keys: VaultKeys;
  passkey: PasskeyOptions;
  commit(from: VaultMeta, meta: VaultMeta, put: (KeyRow | SlotRow)[], remove?: string[]): Promise<void>;
  exclusive<T>(run: () => Promise<T>): Promise<T>;
  broadcast(): void;
}): UnlockMethods {
  const { keys } = ctx;
  const install = (meta: VaultMeta, slots: readonly SlotRow[]) => {
    keys.install({ meta, slots, material: materialOrUndefined(keys), vmk: keys.vmk() });
    ctx.broadcast();
  };
  return {
    addUnlockMethod(target, { current }) {
      return ctx.exclusive(async () => {
        requireWrapped(keys.level);
        const from = keys.meta;
        const opened = await openSlot(current, keys.slots, from.dbId, ctx.passkey, true);
        const id = Math.max(0, ...keys.slots.map((s) => s.id)) + 1;
        const { slot } = await createSlot(target, id, from.dbId, ctx.passkey, opened.vmk);
        const meta = { ...from, epoch: (from.epoch ?? 0) + 1 };
        await ctx.commit(from, meta, [slot]);
        install(meta, [...keys.slots, slot]);
        return { id: slot.id, kind: slot.kind, created: slot.created };
      });
    },

    removeUnlockMethod(id, { current }) {
      return ctx.exclusive(async () => {
        requireWrapped(keys.level);
        if (!keys.slots.some((s) => s.id === id)) throw new ValidationError('unknown-slot', `The vault has no unlock method ${id}`, { slotId: id });
        if (keys.slots.length === 1) throw new ValidationError('last-slot', 'The last unlock method cannot be removed', { slotId: id });
        const from = keys.meta;
        await openSlot(current, keys.slots, from.dbId, ctx.passkey);
        const meta = { ...from, epoch: (from.epoch ?? 0) + 1 };
        await ctx.commit(from, meta, [], [slotName(id)]);
        install(meta, keys.slots.filter((s) => s.id !== id));
      });
    },

    changePassphrase({ current, next }) {
      return ctx.exclusive(async () => {
        requireWrapped(keys.level);
        const from = keys.meta;
        const opened = await openSlot({ passphrase: current }, keys.slots, from.dbId, ctx.passkey, true);
        // Same slot id, new salt: only the slot's wrapped VMK changes; no data envelope is touched.
        const created = await createSlot({ level: 'passphrase', passphrase: next }, opened.slot.id, from.dbId, ctx.passkey, opened.vmk);
        const slot: SlotRow = { ...created.slot, created: opened.slot.created };
        const meta = { ...from, epoch: (from.epoch ?? 0) + 1 };
        await ctx.commit(from, meta, [slot]);
        install(meta, keys.slots.map((s) => (s.id === slot.id ? slot : s)));
      });
    },

    unlockMethods() {
      return keys.slots.map((s) => ({ id: s.id, kind: s.kind, created: s.created }));
    },
  };
}
