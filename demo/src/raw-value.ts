import { h } from './dom.js';
import { base64Preview, byteCount, hexPreview } from './format.js';

/** How bytes are shown in the attacker panel. */
export type ByteFormat = 'hex' | 'base64';

/** Renders one raw IndexedDB value as an attacker would see it. */
export function rawValue(value: unknown, format: ByteFormat): HTMLElement {
  const bytes = asBytes(value);
  if (bytes !== null) {
    return h(
      'span',
      { class: 'raw-bytes' },
      h('code', {}, format === 'hex' ? hexPreview(bytes) : base64Preview(bytes)),
      h('span', { class: 'muted nowrap' }, ` ${byteCount(bytes.length)}`),
    );
  }
  if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) {
    return h(
      'span',
      { class: 'raw-key' },
      h('code', {}, `CryptoKey ${value.algorithm.name}`),
      h('span', { class: 'muted' }, ` extractable: ${String(value.extractable)} · ${value.usages.join(', ')}`),
    );
  }
  if (value instanceof Date) return h('code', { class: 'raw-plain' }, value.toISOString());
  if (typeof value === 'object' && value !== null) return h('code', { class: 'raw-plain' }, JSON.stringify(value));
  return h('code', { class: 'raw-plain' }, value === undefined ? 'undefined' : JSON.stringify(value));
}

/** A short explanation of a raw field of the vault's layout; `indexed` lists the fields with an index. */
export function rawFieldNote(field: string, value: unknown, indexed: ReadonlySet<string>): string | null {
  if (field === 'e') return 'sealed record (AES-GCM)';
  if (field === 'sv') return 'schema version';
  if (field === 'key') return 'stored key';
  if (field === 'dbId') return 'database id';
  if (field === 'wrapped') return 'wrapped key (AES-GCM)';
  if (field === 'vmk') return 'wrapped master key';
  if (field === 'salt' || field === 'prfSalt') return 'salt (not secret)';
  if (field === 'credentialId') return 'passkey id';
  if (indexed.has(field)) return asBytes(value) === null ? 'indexed, readable' : 'blind index (HMAC)';
  return null;
}

function asBytes(value: unknown): Uint8Array | null {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}
