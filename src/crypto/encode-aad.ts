import { ValidationError } from '../core/errors.js';

/**
 * Injective AAD encoding of crypto.md §3.4:
 * `"offline-vault/rec/v1" ‖ dbId(16) ‖ e[0..6) ‖ lp(store) ‖ u32(sv) ‖ encKey(id)`.
 *
 * encKey: 0x01 f64BE(number) | 0x02 f64BE(date ms) | 0x03 lp(utf8 string) | 0x04 lp(bytes)
 *       | 0x05 u32(count) ‖ encKey(elem)* | 0x06 lp(UTF-16BE code units), the last only for
 * strings with lone surrogates, which UTF-8 cannot represent injectively (IndexedDB allows them).
 * Every field is fixed-size or length-prefixed, so the encoding is prefix-free and injective.
 * Keys IndexedDB considers equal (0 and -0) encode equally.
 */

export const AAD_RECORD_PREFIX = 'offline-vault/rec/v1';
const PREFIX_BYTES = new TextEncoder().encode(AAD_RECORD_PREFIX);
const MAX_DEPTH = 64;
const TAG_NUMBER = 0x01;
const TAG_DATE = 0x02;
const TAG_STRING = 0x03;
const TAG_BINARY = 0x04;
const TAG_ARRAY = 0x05;
const TAG_STRING_UTF16 = 0x06;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const encoder = new TextEncoder();

/** Growable scratch buffer. Only used synchronously, so one instance serves all callers. */
class ByteWriter {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  pos = 0;

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  lpBytes(b: Uint8Array): void {
    this.u32(b.length);
    this.bytes(b);
  }
  /** lp(utf8(s)) encoded in place, without an intermediate allocation. */
  lpUtf8(s: string): void {
    this.ensure(4 + s.length * 3);
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos + 4));
    this.view.setUint32(this.pos, written);
    this.pos += 4 + written;
  }
  lpUtf16(s: string): void {
    this.u32(s.length * 2);
    this.ensure(s.length * 2);
    for (let i = 0; i < s.length; i++) {
      this.view.setUint16(this.pos, s.charCodeAt(i));
      this.pos += 2;
    }
  }
  take(): Uint8Array<ArrayBuffer> {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

const writer = new ByteWriter();

function isWellFormed(s: string): boolean {
  const native = (s as { isWellFormed?: () => boolean }).isWellFormed;
  return native !== undefined ? native.call(s) : !LONE_SURROGATE.test(s);
}

/** Name of the key's type for error details (never the key itself). */
export function keyTypeName(key: unknown): string {
  if (Array.isArray(key)) return 'array';
  if (key instanceof Date) return 'date';
  if (key instanceof ArrayBuffer || ArrayBuffer.isView(key)) return 'binary';
  return key === null ? 'null' : typeof key;
}

function invalidKey(reason: string, key: unknown): never {
  throw new ValidationError('invalid-key', `Primary key is not a valid IndexedDB key (${reason})`, {
    keyType: keyTypeName(key),
    rule: reason,
  });
}

function writeKey(w: ByteWriter, key: unknown, depth: number): void {
  if (typeof key === 'string') {
    if (isWellFormed(key)) {
      w.u8(TAG_STRING);
      w.lpUtf8(key);
    } else {
      w.u8(TAG_STRING_UTF16);
      w.lpUtf16(key);
    }
  } else if (typeof key === 'number') {
    if (Number.isNaN(key)) invalidKey('nan', key);
    w.u8(TAG_NUMBER);
    w.f64(key === 0 ? 0 : key); // -0 and 0 are the same IndexedDB key
  } else if (key instanceof Date) {
    const ms = key.getTime();
    if (Number.isNaN(ms)) invalidKey('invalid-date', key);
    w.u8(TAG_DATE);
    w.f64(ms === 0 ? 0 : ms);
  } else if (key instanceof Uint8Array) {
    w.u8(TAG_BINARY);
    w.lpBytes(key);
  } else if (ArrayBuffer.isView(key)) {
    w.u8(TAG_BINARY);
    w.lpBytes(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
  } else if (key instanceof ArrayBuffer) {
    w.u8(TAG_BINARY);
    w.lpBytes(new Uint8Array(key));
  } else if (Array.isArray(key)) {
    if (depth >= MAX_DEPTH) invalidKey('too-deep', key);
    w.u8(TAG_ARRAY);
    w.u32(key.length);
    for (let i = 0; i < key.length; i++) writeKey(w, key[i], depth + 1);
  } else {
    invalidKey('unsupported-type', key);
  }
}

/** encKey(id) alone, as a fresh Uint8Array. Throws ValidationError 'invalid-key' for non-IDB keys. */
export function encodeKey(key: unknown): Uint8Array<ArrayBuffer> {
  writer.pos = 0;
  try {
    writeKey(writer, key, 0);
  } catch (error) {
    writer.pos = 0;
    throw error;
  }
  return writer.take();
}

/** UTF-8 bytes of store names, cached: a handful of names are encoded on every record. */
const storeNameCache = new Map<string, Uint8Array>();
const STORE_NAME_CACHE_MAX = 1024;

function storeNameBytes(store: string): Uint8Array {
  let bytes = storeNameCache.get(store);
  if (bytes === undefined) {
    if (storeNameCache.size >= STORE_NAME_CACHE_MAX) storeNameCache.clear();
    bytes = encoder.encode(store);
    storeNameCache.set(store, bytes);
  }
  return bytes;
}

/**
 * Record AAD. `header` is e[0..6) (fmt, suite, keyId). Throws ValidationError for an invalid
 * schema version or primary key.
 */
export function encodeRecordAad(
  dbId: Uint8Array,
  header: Uint8Array,
  store: string,
  schemaVersion: number,
  primaryKey: unknown,
): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(schemaVersion) || schemaVersion < 0 || schemaVersion > 0xffff_ffff) {
    throw new ValidationError('invalid-schema-version', 'Schema version must be a u32', { store });
  }
  const w = writer;
  w.pos = 0;
  try {
    w.bytes(PREFIX_BYTES);
    w.bytes(dbId);
    w.bytes(header.subarray(0, 6));
    w.lpBytes(storeNameBytes(store));
    w.u32(schemaVersion);
    writeKey(w, primaryKey, 0);
  } catch (error) {
    w.pos = 0;
    if (error instanceof ValidationError) {
      throw new ValidationError(error.code, error.message, { ...error.details, store });
    }
    throw error;
  }
  return w.take();
}
