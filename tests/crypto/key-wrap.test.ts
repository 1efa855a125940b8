import { describe, expect, it } from 'vitest';
import { BadCredentialsError, IntegrityError, ValidationError } from '../../src/core/errors.js';
import {
  generateWrappableKey,
  unwrapDataKey,
  VMK_PURPOSE,
  wrapDataKey,
  wrappedSlotId,
  WRAPPED_KEY_LENGTH,
  type DataKeyKind,
  type WrappedKeyContext,
} from '../../src/crypto/key-wrap.js';

const dbId = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const otherDbId = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);
const ctx: WrappedKeyContext = { dbId, slotId: 1, purpose: 'record', keyId: 3 };

async function kek(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Proves `a` and `b` are the same secret: what one produces, the other accepts. */
async function sameKey(kind: DataKeyKind, a: CryptoKey, b: CryptoKey): Promise<boolean> {
  const data = new TextEncoder().encode('probe');
  if (kind === 'hmac') {
    const [x, y] = await Promise.all([crypto.subtle.sign('HMAC', a, data), crypto.subtle.sign('HMAC', b, data)]);
    return Buffer.from(x).equals(Buffer.from(y));
  }
  const iv = new Uint8Array(12);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, a, data);
  return Buffer.from(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, b, sealed)).equals(Buffer.from(data));
}

describe('wrapDataKey / unwrapDataKey', () => {
  it.each([
    { kind: 'aes-gcm' as const, purpose: 'record', usages: ['decrypt', 'encrypt'] },
    { kind: 'hmac' as const, purpose: 'index:Sales.Customer/Name', usages: ['sign'] },
  ])('round-trips a $kind key ($purpose) into a non-extractable working copy with usages $usages', async ({ kind, purpose, usages }) => {
    const k = await kek();
    const key = await generateWrappableKey(kind, purpose);
    const blob = await wrapDataKey(k, key, kind, { ...ctx, purpose });
    const copy = await unwrapDataKey(k, blob, kind, { ...ctx, purpose });
    expect(copy.extractable).toBe(false);
    expect([...copy.usages].sort()).toEqual(usages);
    expect(await sameKey(kind, key, copy)).toBe(true);
  });

  it.each([
    { purpose: 'file', usages: ['unwrapKey', 'wrapKey'] },
    { purpose: VMK_PURPOSE, usages: ['unwrapKey', 'wrapKey'] },
  ])('gives a $purpose key the key-wrapping usages', async ({ purpose, usages }) => {
    const k = await kek();
    const key = await generateWrappableKey('aes-gcm', purpose);
    expect([...key.usages].sort()).toEqual(usages);
    const copy = await unwrapDataKey(k, await wrapDataKey(k, key, 'aes-gcm', { ...ctx, purpose }), 'aes-gcm', { ...ctx, purpose });
    expect([...copy.usages].sort()).toEqual(usages);
  });

  it('writes a 66-byte blob: format 1, algorithm 1, the slot id big-endian, a fresh IV each time', async () => {
    const k = await kek();
    const key = await generateWrappableKey('aes-gcm', 'record');
    const a = await wrapDataKey(k, key, 'aes-gcm', { ...ctx, slotId: 0x01020304 });
    const b = await wrapDataKey(k, key, 'aes-gcm', { ...ctx, slotId: 0x01020304 });
    expect(a.length).toBe(WRAPPED_KEY_LENGTH);
    expect([...a.subarray(0, 6)]).toEqual([1, 1, 1, 2, 3, 4]);
    expect(wrappedSlotId(a)).toBe(0x01020304);
    expect(Buffer.from(a.subarray(6, 18)).equals(Buffer.from(b.subarray(6, 18)))).toBe(false);
  });

  it('unwraps an extractable copy only when asked', async () => {
    const k = await kek();
    const blob = await wrapDataKey(k, await generateWrappableKey('aes-gcm', VMK_PURPOSE), 'aes-gcm', { ...ctx, purpose: VMK_PURPOSE });
    expect((await unwrapDataKey(k, blob, 'aes-gcm', { ...ctx, purpose: VMK_PURPOSE }, true)).extractable).toBe(true);
  });

  it('refuses to wrap a key that is not 256 bits', async () => {
    const k = await kek();
    const short = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt']);
    expect(await rejection(wrapDataKey(k, short, 'aes-gcm', ctx))).toMatchObject({ name: 'ValidationError', code: 'invalid-key-length' });
  });

  it.each([
    { case: 'a 15-byte dbId', change: { dbId: new Uint8Array(15) }, code: 'invalid-db-id' },
    { case: 'a negative slot id', change: { slotId: -1 }, code: 'invalid-key-id' },
    { case: 'a key id above u32', change: { keyId: 2 ** 32 }, code: 'invalid-key-id' },
    { case: 'a fractional key id', change: { keyId: 1.5 }, code: 'invalid-key-id' },
  ])('rejects a context with $case (ValidationError $code) on wrap and unwrap', async ({ change, code }) => {
    const k = await kek();
    const key = await generateWrappableKey('aes-gcm', 'record');
    const blob = await wrapDataKey(k, key, 'aes-gcm', ctx);
    const bad = { ...ctx, ...change };
    for (const error of [await rejection(wrapDataKey(k, key, 'aes-gcm', bad)), await rejection(unwrapDataKey(k, blob, 'aes-gcm', bad))]) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code });
    }
  });
});

describe('wrapped-key binding', () => {
  it('refuses a blob written for slot 1 when slot 2 asks for it (IntegrityError slot-mismatch)', async () => {
    const k = await kek();
    const blob = await wrapDataKey(k, await generateWrappableKey('aes-gcm', 'record'), 'aes-gcm', ctx);
    const error = await rejection(unwrapDataKey(k, blob, 'aes-gcm', { ...ctx, slotId: 2 }));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: 'slot-mismatch' });
  });

  it('refuses a blob moved to slot 2 by rewriting its header slot id (the header is in the AAD)', async () => {
    const k = await kek();
    const blob = await wrapDataKey(k, await generateWrappableKey('aes-gcm', 'record'), 'aes-gcm', ctx);
    const moved = blob.slice();
    moved[5] = 2;
    expect(wrappedSlotId(moved)).toBe(2);
    expect(await rejection(unwrapDataKey(k, moved, 'aes-gcm', { ...ctx, slotId: 2 }))).toBeInstanceOf(BadCredentialsError);
  });

  it.each([
    { case: 'another purpose', change: { purpose: 'file' } },
    { case: 'another index', change: { purpose: 'index:Sales.Customer/City' } },
    { case: 'another key generation', change: { keyId: 4 } },
    { case: 'another database', change: { dbId: otherDbId } },
  ])('fails with BadCredentialsError when unwrapped for $case', async ({ change }) => {
    const k = await kek();
    const base = { ...ctx, purpose: 'index:Sales.Customer/Name' };
    const blob = await wrapDataKey(k, await generateWrappableKey('hmac', base.purpose), 'hmac', base);
    expect(await unwrapDataKey(k, blob, 'hmac', base)).toBeInstanceOf(CryptoKey);
    const error = await rejection(unwrapDataKey(k, blob, 'hmac', { ...base, ...change }));
    expect(error).toBeInstanceOf(BadCredentialsError);
    expect(error).toMatchObject({ code: 'bad-credentials' });
  });

  it('fails with BadCredentialsError when an AES key is unwrapped as an HMAC key (algorithm in the AAD)', async () => {
    const k = await kek();
    const blob = await wrapDataKey(k, await generateWrappableKey('aes-gcm', 'record'), 'aes-gcm', ctx);
    expect(await rejection(unwrapDataKey(k, blob, 'hmac', ctx))).toBeInstanceOf(BadCredentialsError);
  });

  it('fails with BadCredentialsError under another KEK', async () => {
    const blob = await wrapDataKey(await kek(), await generateWrappableKey('aes-gcm', 'record'), 'aes-gcm', ctx);
    expect(await rejection(unwrapDataKey(await kek(), blob, 'aes-gcm', ctx))).toMatchObject({ name: 'BadCredentialsError', code: 'bad-credentials' });
  });

  it.each([
    { region: 'the IV', offset: 6 },
    { region: 'the IV end', offset: 17 },
    { region: 'the wrapped key', offset: 18 },
    { region: 'the wrapped key end', offset: 49 },
    { region: 'the tag', offset: 50 },
    { region: 'the last tag byte', offset: 65 },
    { region: 'the slot id high byte', offset: 2 },
  ])('fails with BadCredentialsError when one bit of $region (byte $offset) flips', async ({ offset }) => {
    const k = await kek();
    const blob = await wrapDataKey(k, await generateWrappableKey('aes-gcm', 'record'), 'aes-gcm', { ...ctx, slotId: 0 });
    const tampered = blob.slice();
    tampered[offset]! ^= 0x01;
    const slotId = wrappedSlotId(tampered);
    expect(await rejection(unwrapDataKey(k, tampered, 'aes-gcm', { ...ctx, slotId }))).toBeInstanceOf(BadCredentialsError);
  });

  it.each([
    { case: 'format byte 2', blob: (b: Uint8Array) => Uint8Array.of(2, ...b.subarray(1)) },
    { case: 'algorithm byte 9', blob: (b: Uint8Array) => Uint8Array.of(b[0]!, 9, ...b.subarray(2)) },
    { case: 'a truncated blob', blob: (b: Uint8Array) => b.slice(0, 65) },
    { case: 'an extended blob', blob: (b: Uint8Array) => Uint8Array.of(...b, 0) },
  ])('rejects a blob with $case as IntegrityError not-a-wrapped-key', async ({ blob }) => {
    const k = await kek();
    const good = await wrapDataKey(k, await generateWrappableKey('aes-gcm', 'record'), 'aes-gcm', ctx);
    const error = await rejection(unwrapDataKey(k, blob(good), 'aes-gcm', ctx));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: 'not-a-wrapped-key' });
  });
});
