import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadCredentialsError, PrfUnsupportedError } from '../../src/core/errors.js';
import { evaluatePasskey, registerPasskey, type WebAuthnLike } from '../../src/crypto/passkey-prf.js';

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

function asBytes(source: BufferSource | Uint8Array): Uint8Array {
  return ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
}

interface FakeOptions {
  /** Authenticator supports PRF (create reports enabled: true). */
  prf?: boolean;
  /** create() also returns results (some platforms do, Chromium's virtual ones with hasPrf do). */
  evaluatesOnCreate?: boolean;
  /** Overrides every PRF output (to test malformed results). */
  outputLength?: number;
  /** get() answers with this credential id whatever allowCredentials says. */
  answerWith?: Uint8Array;
  /** Every ceremony rejects with this DOMException name. */
  failWith?: string;
  /** get() resolves to null. */
  getReturnsNull?: boolean;
}

/**
 * A software authenticator: each credential has a random 32-byte secret; the PRF is
 * HMAC-SHA-256(secret, SHA-256("WebAuthn PRF" ‖ 0x00 ‖ salt)), as the browser hashes the salt before
 * the CTAP hmac-secret evaluation.
 */
class FakeAuthenticator implements WebAuthnLike {
  readonly secrets = new Map<string, Buffer>();
  readonly creates: CredentialCreationOptions[] = [];
  readonly gets: CredentialRequestOptions[] = [];

  constructor(private readonly options: FakeOptions = {}) {}

  prf(credentialId: Uint8Array, salt: BufferSource | Uint8Array): Uint8Array<ArrayBuffer> {
    const secret = this.secrets.get(b64url(credentialId));
    if (secret === undefined) throw new Error('unknown credential in fake');
    const input = createHash('sha256').update('WebAuthn PRF').update(Buffer.from([0])).update(asBytes(salt)).digest();
    const out = new Uint8Array(createHmac('sha256', secret).update(input).digest());
    return this.options.outputLength === undefined ? out : new Uint8Array(this.options.outputLength).fill(7);
  }

  async create(options: CredentialCreationOptions): Promise<Credential | null> {
    this.creates.push(options);
    this.maybeFail();
    const id = new Uint8Array(randomBytes(32));
    this.secrets.set(b64url(id), randomBytes(32));
    const salt = options.publicKey?.extensions?.prf?.eval?.first;
    const prf: AuthenticationExtensionsPRFOutputs = { enabled: this.options.prf ?? true };
    if ((this.options.prf ?? true) && this.options.evaluatesOnCreate === true && salt !== undefined) {
      prf.results = { first: this.prf(id, salt) };
    }
    return this.credential(id, { prf });
  }

  async get(options: CredentialRequestOptions): Promise<Credential | null> {
    this.gets.push(options);
    this.maybeFail();
    if (this.options.getReturnsNull === true) return null;
    const allowed = options.publicKey?.allowCredentials ?? [];
    const id = this.options.answerWith ?? asBytes(allowed.find((c) => this.secrets.has(b64url(asBytes(c.id))))!.id);
    const salt = options.publicKey?.extensions?.prf?.evalByCredential?.[b64url(id)]?.first;
    const prf: AuthenticationExtensionsPRFOutputs = {};
    if ((this.options.prf ?? true) && salt !== undefined) prf.results = { first: this.prf(id, salt) };
    return this.credential(id, { prf });
  }

  private maybeFail(): void {
    if (this.options.failWith !== undefined) throw new DOMException('The operation was not allowed', this.options.failWith);
  }

  private credential(id: Uint8Array, extensions: AuthenticationExtensionsClientOutputs): Credential {
    const rawId = toArrayBuffer(id);
    return { id: b64url(id), type: 'public-key', rawId, getClientExtensionResults: () => extensions } as unknown as Credential;
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const register = (webauthn: WebAuthnLike) => registerPasskey({ webauthn, rpName: 'Vault', userName: 'rep@example.com' });

describe('registerPasskey', () => {
  it.each([
    { evaluatesOnCreate: true, gets: 0 },
    { evaluatesOnCreate: false, gets: 1 },
  ])('returns a 32-byte PRF output for a fresh 32-byte salt (evaluatesOnCreate: $evaluatesOnCreate, get calls: $gets)', async ({ evaluatesOnCreate, gets }) => {
    const fake = new FakeAuthenticator({ evaluatesOnCreate });
    const reg = await register(fake);
    expect(reg.prfOutput).toBeInstanceOf(Uint8Array);
    expect(reg.prfOutput.length).toBe(32);
    expect(reg.prfSalt.length).toBe(32);
    expect(reg.prfOutput).toEqual(fake.prf(reg.credentialId, reg.prfSalt));
    expect(fake.secrets.has(b64url(reg.credentialId))).toBe(true);
    expect(fake.gets).toHaveLength(gets);
  });

  it('asks for a platform, resident, user-verified ES256/RS256 credential with prf eval = the raw salt', async () => {
    const fake = new FakeAuthenticator({ evaluatesOnCreate: true });
    const reg = await registerPasskey({ webauthn: fake, rpId: 'vault.example', rpName: 'Vault', userName: 'rep', userDisplayName: 'Rep' });
    const publicKey = fake.creates[0]!.publicKey!;
    expect(publicKey.rp).toEqual({ id: 'vault.example', name: 'Vault' });
    expect(publicKey.user).toMatchObject({ name: 'rep', displayName: 'Rep' });
    expect(publicKey.authenticatorSelection).toMatchObject({ authenticatorAttachment: 'platform', residentKey: 'required', userVerification: 'required' });
    expect(publicKey.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -257]);
    expect(asBytes(publicKey.extensions!.prf!.eval!.first)).toEqual(reg.prfSalt);
  });

  it('uses a new random salt for every registration', async () => {
    const fake = new FakeAuthenticator({ evaluatesOnCreate: true });
    const [a, b] = [await register(fake), await register(fake)];
    expect(hex(a.prfSalt)).not.toBe(hex(b.prfSalt));
    expect(hex(a.credentialId)).not.toBe(hex(b.credentialId));
  });

  it.each([
    { case: 'prf.enabled false', options: { prf: false } },
    { case: 'prf.enabled false even with results', options: { prf: false, evaluatesOnCreate: true } },
  ])('throws PrfUnsupportedError prf-unsupported and never evaluates when $case', async ({ options }) => {
    const fake = new FakeAuthenticator(options);
    const error = await rejection(register(fake));
    expect(error).toBeInstanceOf(PrfUnsupportedError);
    expect(error).toMatchObject({ code: 'prf-unsupported', details: { stage: 'create' } });
    expect(fake.gets).toHaveLength(0);
  });

  it('throws PrfUnsupportedError when the extension results lack prf entirely', async () => {
    const webauthn: WebAuthnLike = {
      create: async () => ({ id: 'x', type: 'public-key', rawId: new ArrayBuffer(16), getClientExtensionResults: () => ({}) }) as unknown as Credential,
      get: async () => null,
    };
    expect(await rejection(register(webauthn))).toMatchObject({ name: 'PrfUnsupportedError', code: 'prf-unsupported' });
  });

  it.each(['NotAllowedError', 'AbortError'])('maps a %s from create to BadCredentialsError passkey-cancelled with the cause', async (name) => {
    const error = await rejection(register(new FakeAuthenticator({ failWith: name })));
    expect(error).toBeInstanceOf(BadCredentialsError);
    expect(error).toMatchObject({ code: 'passkey-cancelled', details: { stage: 'create', name } });
    expect((error as Error).cause).toBeInstanceOf(DOMException);
  });

  it('maps NotSupportedError from create to PrfUnsupportedError webauthn-unavailable', async () => {
    const error = await rejection(register(new FakeAuthenticator({ failWith: 'NotSupportedError' })));
    expect(error).toMatchObject({ name: 'PrfUnsupportedError', code: 'webauthn-unavailable' });
  });

  it('throws PrfUnsupportedError webauthn-unavailable when there is no navigator.credentials', async () => {
    const error = await rejection(registerPasskey({ rpName: 'Vault', userName: 'rep' }));
    expect(error).toBeInstanceOf(PrfUnsupportedError);
    expect(error).toMatchObject({ code: 'webauthn-unavailable' });
  });

  it('rethrows the reason of its own aborted signal and passes the signal to create', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const webauthn: WebAuthnLike = {
      create: async (options) => {
        expect(options.signal).toBe(controller.signal);
        controller.abort(reason);
        throw new DOMException('aborted', 'AbortError');
      },
      get: async () => null,
    };
    expect(await rejection(registerPasskey({ webauthn, rpName: 'Vault', userName: 'rep', signal: controller.signal }))).toBe(reason);
  });
});

describe('evaluatePasskey', () => {
  it('gives the same output for the same credential and salt, another for another salt', async () => {
    const fake = new FakeAuthenticator();
    const reg = await register(fake);
    const again = await evaluatePasskey({ webauthn: fake, slots: [reg] });
    expect(hex(again.prfOutput)).toBe(hex(reg.prfOutput));
    const otherSalt = await evaluatePasskey({ webauthn: fake, slots: [{ credentialId: reg.credentialId, prfSalt: new Uint8Array(32).fill(1) }] });
    expect(hex(otherSalt.prfOutput)).not.toBe(hex(reg.prfOutput));
  });

  it('gives another credential a different output for the same salt', async () => {
    const fake = new FakeAuthenticator();
    const a = await register(fake);
    const b = await register(fake);
    const out = await evaluatePasskey({ webauthn: fake, slots: [{ credentialId: b.credentialId, prfSalt: a.prfSalt }] });
    expect(out.prfOutput.length).toBe(32);
    expect(hex(out.prfOutput)).not.toBe(hex(a.prfOutput));
  });

  it('allows every slot, keys evalByCredential by base64url id, and reports which credential answered', async () => {
    const fake = new FakeAuthenticator();
    const a = await register(fake);
    const b = await register(fake);
    // An id whose base64 is '+//+++//', so base64url ('-__---__') and plain base64 differ.
    const odd = new Uint8Array([0xfb, 0xff, 0xfe, 0xfb, 0xef, 0xff]);
    fake.secrets.set(b64url(odd), randomBytes(32));
    const slots = [{ credentialId: odd, prfSalt: new Uint8Array(32).fill(3) }, b, a];
    const answered = new FakeAuthenticator({ answerWith: b.credentialId });
    for (const [k, v] of fake.secrets) answered.secrets.set(k, v);

    const out = await evaluatePasskey({ webauthn: answered, rpId: 'vault.example', slots });
    const publicKey = answered.gets[0]!.publicKey!;
    expect(Object.keys(publicKey.extensions!.prf!.evalByCredential!)).toEqual(['-__---__', b64url(b.credentialId), b64url(a.credentialId)]);
    expect(asBytes(publicKey.extensions!.prf!.evalByCredential![b64url(b.credentialId)]!.first)).toEqual(b.prfSalt);
    expect(publicKey.allowCredentials!.map((c) => b64url(asBytes(c.id)))).toEqual(slots.map((s) => b64url(s.credentialId)));
    expect(publicKey).toMatchObject({ rpId: 'vault.example', userVerification: 'required' });
    expect(out.credentialId).toEqual(b.credentialId);
    expect(hex(out.prfOutput)).toBe(hex(b.prfOutput));
  });

  it.each([
    { case: 'NotAllowedError', fake: { failWith: 'NotAllowedError' }, code: 'passkey-cancelled' },
    { case: 'a null credential', fake: { getReturnsNull: true }, code: 'passkey-cancelled' },
    { case: 'an answer from a credential not among the slots', fake: { answerWith: new Uint8Array(32).fill(9) }, code: 'unknown-passkey' },
  ])('throws BadCredentialsError $code on $case', async ({ fake: options, code }) => {
    const registrar = new FakeAuthenticator();
    const reg = await register(registrar);
    const fake = new FakeAuthenticator(options);
    for (const [k, v] of registrar.secrets) fake.secrets.set(k, v);
    fake.secrets.set(b64url(new Uint8Array(32).fill(9)), randomBytes(32));
    const error = await rejection(evaluatePasskey({ webauthn: fake, slots: [reg] }));
    expect(error).toBeInstanceOf(BadCredentialsError);
    expect(error).toMatchObject({ code });
  });

  it('keeps the DOMException as the cause of a cancellation', async () => {
    const error = await rejection(evaluatePasskey({ webauthn: new FakeAuthenticator({ failWith: 'NotAllowedError' }), slots: [{ credentialId: new Uint8Array(16), prfSalt: new Uint8Array(32) }] }));
    expect((error as Error).cause).toMatchObject({ name: 'NotAllowedError' });
  });

  it('throws PrfUnsupportedError when get returns no PRF results', async () => {
    const registrar = new FakeAuthenticator();
    const reg = await register(registrar);
    const noPrf = new FakeAuthenticator({ prf: false });
    for (const [k, v] of registrar.secrets) noPrf.secrets.set(k, v);
    const error = await rejection(evaluatePasskey({ webauthn: noPrf, slots: [reg] }));
    expect(error).toBeInstanceOf(PrfUnsupportedError);
    expect(error).toMatchObject({ code: 'prf-unsupported', details: { stage: 'get' } });
  });

  it.each([16, 31, 33, 64])('throws PrfUnsupportedError for a %i-byte output and keeps the bytes out of the error', async (length) => {
    const registrar = new FakeAuthenticator();
    const reg = await register(registrar);
    const bad = new FakeAuthenticator({ outputLength: length });
    for (const [k, v] of registrar.secrets) bad.secrets.set(k, v);
    const error = await rejection(evaluatePasskey({ webauthn: bad, slots: [reg] }));
    expect(error).toBeInstanceOf(PrfUnsupportedError);
    expect(error).toMatchObject({ details: { length, expected: 32 } });
    const text = JSON.stringify(error) + String((error as Error).message);
    expect(text).not.toContain('0707070707');
    expect(text).not.toContain(Buffer.from(new Uint8Array(length).fill(7)).toString('base64').slice(0, 8));
  });

  it('throws BadCredentialsError no-passkey-slots without calling get when there are no slots', async () => {
    const fake = new FakeAuthenticator();
    expect(await rejection(evaluatePasskey({ webauthn: fake, slots: [] }))).toMatchObject({ name: 'BadCredentialsError', code: 'no-passkey-slots' });
    expect(fake.gets).toHaveLength(0);
  });
});
