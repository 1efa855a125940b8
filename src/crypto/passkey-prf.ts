import { BadCredentialsError, PrfUnsupportedError } from '../core/errors.js';

/** The part of navigator.credentials the vault uses (injectable for tests). */
export interface WebAuthnLike {
  create(options: CredentialCreationOptions): Promise<Credential | null>;
  get(options: CredentialRequestOptions): Promise<Credential | null>;
}

/** A new passkey slot: the credential, the salt it is evaluated with, and its PRF output. */
export interface PasskeyRegistration {
  credentialId: Uint8Array;
  prfSalt: Uint8Array;
  /** 32 bytes; key material: derive the KEK from it and drop it. */
  prfOutput: Uint8Array;
}

/** One passkey slot as stored: which credential, evaluated with which salt. */
export interface PasskeySlotRef {
  credentialId: Uint8Array;
  prfSalt: Uint8Array;
}

/** WebAuthn PRF outputs are 32 bytes (WebAuthn L3 §10.1.4). */
export const PRF_OUTPUT_LENGTH = 32;
/** Length of the random salt each passkey slot is evaluated with. */
export const PRF_SALT_LENGTH = 32;

/** COSE algorithms offered: ES256 first, RS256 for platforms that only have RSA (Windows Hello). */
const PUB_KEY_CRED_PARAMS: PublicKeyCredentialParameters[] = [
  { type: 'public-key', alg: -7 },
  { type: 'public-key', alg: -257 },
];

/** The members of a PublicKeyCredential read here (duck-typed so fakes work without the DOM class). */
interface PublicKeyCredentialLike {
  rawId: ArrayBuffer;
  getClientExtensionResults(): AuthenticationExtensionsClientOutputs;
}

/**
 * Creates a platform passkey (resident key and user verification required, ES256 or RS256) with
 * the prf extension and evaluates it once with a fresh random 32-byte `prfSalt`.
 * Throws PrfUnsupportedError if the authenticator does not enable PRF (never a weaker setup),
 * BadCredentialsError 'passkey-cancelled' if the user cancels.
 */
export async function registerPasskey(options: {
  webauthn?: WebAuthnLike;
  rpId?: string;
  rpName: string;
  userName: string;
  userDisplayName?: string;
  signal?: AbortSignal;
}): Promise<PasskeyRegistration> {
  const webauthn = resolveWebAuthn(options.webauthn);
  const prfSalt = randomBytes(PRF_SALT_LENGTH);
  const publicKey: PublicKeyCredentialCreationOptions = {
    rp: options.rpId === undefined ? { name: options.rpName } : { id: options.rpId, name: options.rpName },
    // A random user handle: the authenticator stores it, so it must not carry the user's identity.
    user: { id: randomBytes(16), name: options.userName, displayName: options.userDisplayName ?? options.userName },
    // No server verifies the attestation or assertion: the PRF output is the only thing used.
    challenge: randomBytes(32),
    pubKeyCredParams: PUB_KEY_CRED_PARAMS,
    authenticatorSelection: {
      authenticatorAttachment: 'platform',
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    },
    attestation: 'none',
    extensions: { prf: { eval: { first: prfSalt } } },
  };
  const credential = await ceremony('create', options.signal, () =>
    webauthn.create(withSignal({ publicKey }, options.signal)),
  );
  const prf = credential.getClientExtensionResults().prf;
  if (prf?.enabled !== true) {
    throw new PrfUnsupportedError('prf-unsupported', 'The authenticator did not enable the WebAuthn PRF extension', {
      stage: 'create',
    });
  }
  const credentialId = new Uint8Array(credential.rawId.slice(0));
  const first = prf.results?.first;
  if (first !== undefined) return { credentialId, prfSalt, prfOutput: checkOutput(first, 'create') };
  // Many authenticators (Chromium's virtual ones, hmac-secret keys) evaluate the PRF only on get().
  const { prfOutput } = await evaluatePasskey({
    webauthn,
    ...(options.rpId === undefined ? {} : { rpId: options.rpId }),
    slots: [{ credentialId, prfSalt }],
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { credentialId, prfSalt, prfOutput };
}

/**
 * Evaluates the PRF of one of the given credentials (allowCredentials = all of them,
 * evalByCredential with each one's salt) and returns which credential answered and its output.
 * Throws BadCredentialsError 'passkey-cancelled' / 'unknown-passkey' / 'no-passkey-slots',
 * PrfUnsupportedError if no 32-byte PRF result comes back.
 */
export async function evaluatePasskey(options: {
  webauthn?: WebAuthnLike;
  rpId?: string;
  slots: readonly PasskeySlotRef[];
  signal?: AbortSignal;
}): Promise<{ credentialId: Uint8Array; prfOutput: Uint8Array }> {
  const webauthn = resolveWebAuthn(options.webauthn);
  if (options.slots.length === 0) {
    throw new BadCredentialsError('no-passkey-slots', 'The vault has no passkey unlock method', { slots: 0 });
  }
  const byId = new Map<string, PasskeySlotRef>();
  const evalByCredential: Record<string, AuthenticationExtensionsPRFValues> = {};
  for (const slot of options.slots) {
    const key = toBase64Url(slot.credentialId);
    byId.set(key, slot);
    evalByCredential[key] = { first: new Uint8Array(slot.prfSalt) };
  }
  const publicKey: PublicKeyCredentialRequestOptions = {
    challenge: randomBytes(32),
    allowCredentials: options.slots.map((slot) => ({ type: 'public-key', id: new Uint8Array(slot.credentialId) })),
    userVerification: 'required',
    extensions: { prf: { evalByCredential } },
    ...(options.rpId === undefined ? {} : { rpId: options.rpId }),
  };
  const credential = await ceremony('get', options.signal, () =>
    webauthn.get(withSignal({ publicKey }, options.signal)),
  );
  const credentialId = new Uint8Array(credential.rawId.slice(0));
  if (!byId.has(toBase64Url(credentialId))) {
    throw new BadCredentialsError('unknown-passkey', 'The passkey used is not an unlock method of this vault', {
      slots: options.slots.length,
    });
  }
  const first = credential.getClientExtensionResults().prf?.results?.first;
  if (first === undefined) {
    throw new PrfUnsupportedError('prf-unsupported', 'The authenticator returned no WebAuthn PRF result', {
      stage: 'get',
    });
  }
  return { credentialId, prfOutput: checkOutput(first, 'get') };
}

function resolveWebAuthn(webauthn: WebAuthnLike | undefined): WebAuthnLike {
  const found = webauthn ?? (globalThis as { navigator?: { credentials?: WebAuthnLike } }).navigator?.credentials;
  if (found === undefined || typeof found.create !== 'function' || typeof found.get !== 'function') {
    throw new PrfUnsupportedError('webauthn-unavailable', 'WebAuthn is not available (needs a browser and a secure context)');
  }
  return found;
}

/**
 * Runs one WebAuthn ceremony and maps its failures to typed errors:
 * - our own signal aborted: its reason is rethrown unchanged (the caller asked for it);
 * - NotAllowedError / AbortError / a null result: the user cancelled or no credential matched;
 * - NotSupportedError / SecurityError: WebAuthn cannot be used here (RP ID, context, algorithms).
 */
async function ceremony(
  stage: 'create' | 'get',
  signal: AbortSignal | undefined,
  run: () => Promise<Credential | null>,
): Promise<PublicKeyCredentialLike> {
  let result: Credential | null;
  try {
    result = await run();
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'NotSupportedError' || name === 'SecurityError') {
      throw new PrfUnsupportedError('webauthn-unavailable', 'WebAuthn refused the passkey request', { stage, name }, {
        cause: error,
      });
    }
    if (name === 'NotAllowedError' || name === 'AbortError') {
      throw new BadCredentialsError('passkey-cancelled', 'The passkey request was cancelled or not allowed', { stage, name }, {
        cause: error,
      });
    }
    throw new BadCredentialsError('passkey-failed', 'The passkey request failed', { stage, name: String(name) }, { cause: error });
  }
  if (!isPublicKeyCredential(result)) {
    throw new BadCredentialsError('passkey-cancelled', 'No passkey was returned', { stage });
  }
  return result;
}

function isPublicKeyCredential(value: Credential | null): value is Credential & PublicKeyCredentialLike {
  const candidate = value as Partial<PublicKeyCredentialLike> | null;
  return (
    candidate !== null &&
    candidate.rawId instanceof ArrayBuffer &&
    typeof candidate.getClientExtensionResults === 'function'
  );
}

function withSignal<T extends object>(options: T, signal: AbortSignal | undefined): T & { signal?: AbortSignal } {
  return signal === undefined ? options : { ...options, signal };
}

/** A private copy of a PRF result, checked to be exactly 32 bytes (the bytes never reach a message). */
function checkOutput(source: BufferSource, stage: 'create' | 'get'): Uint8Array {
  const bytes = ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice()
    : new Uint8Array(source).slice();
  if (bytes.length !== PRF_OUTPUT_LENGTH) {
    const length = bytes.length;
    bytes.fill(0);
    throw new PrfUnsupportedError('prf-unsupported', 'The WebAuthn PRF result has an unexpected length', {
      stage,
      length,
      expected: PRF_OUTPUT_LENGTH,
    });
  }
  return bytes;
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** base64url without padding: the key format of `evalByCredential` (WebAuthn L3 §10.1.4). */
function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
