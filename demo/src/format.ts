/** Hex of the first `max` bytes, grouped in pairs of bytes for readability. */
export function hexPreview(bytes: Uint8Array, max = 24): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0'));
  const groups: string[] = [];
  for (let i = 0; i < shown.length; i += 2) groups.push(shown.slice(i, i + 2).join(''));
  return groups.join(' ') + (bytes.length > max ? ' …' : '');
}

/** Base64 of the first `max` bytes. */
export function base64Preview(bytes: Uint8Array, max = 36): string {
  const slice = bytes.subarray(0, max);
  let binary = '';
  for (const b of slice) binary += String.fromCharCode(b);
  return btoa(binary) + (bytes.length > max ? '…' : '');
}

/** `1 byte` / `84 bytes`. */
export function byteCount(n: number): string {
  return `${n.toLocaleString('en')} byte${n === 1 ? '' : 's'}`;
}

const money = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A decimal string as money-like text ("1,250.50"); empty stays empty. */
export function formatDecimal(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  return Number.isFinite(n) ? money.format(n) : String(value);
}

/** An ISO date-time as local date and time. */
export function formatDateTime(value: unknown): string {
  if (typeof value !== 'string') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
}

/** Shortens an id for display: first 8 characters. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}
