import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { WebAuthnLike } from '../../src/crypto/passkey-prf.js';

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function asBytes(source: BufferSource | Uint8Array): Uint8Array {
  return ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
}

/**
 * A software platform authenticator with the PRF extension (a copy of the one in
 * tests/crypto/passkey-prf.test.ts, trimmed): each credential has a random secret and the PRF is
 * HMAC-SHA-256(secret, SHA-256("WebAuthn PRF" ‖ 0x00 ‖ salt)).
 * `prf: false` reports the extension as not enabled; `answerWith` makes get() answer with another
 * credential whatever allowCredentials says.
 */
export class FakeAuthenticator implements WebAuthnLike {
  readonly secrets = new Map<string, Buffer>();
  /** Credential ids in creation order. */
  readonly created: Uint8Array[] = [];
  answerWith: Uint8Array | undefined;

  constructor(private readonly options: { prf?: boolean } = {}) {}

  prf(credentialId: Uint8Array, salt: BufferSource | Uint8Array): Uint8Array<ArrayBuffer> {
    const secret = this.secrets.get(b64url(credentialId));
    if (secret === undefined) throw new Error('unknown credential in fake');
    const input = createHash('sha256').update('WebAuthn PRF').update(Buffer.from([0])).update(asBytes(salt)).digest();
    return new Uint8Array(createHmac('sha256', secret).update(input).digest());
  }

  async create(options: CredentialCreationOptions): Promise<Credential | null> {
    const id = new Uint8Array(randomBytes(32));
    this.secrets.set(b64url(id), randomBytes(32));
    this.created.push(id);
    const enabled = this.options.prf ?? true;
    const salt = options.publicKey?.extensions?.prf?.eval?.first;
    const prf: AuthenticationExtensionsPRFOutputs = { enabled };
    if (enabled && salt !== undefined) prf.results = { first: this.prf(id, salt) };
    return this.credential(id, { prf });
  }

  async get(options: CredentialRequestOptions): Promise<Credential | null> {
    const allowed = options.publicKey?.allowCredentials ?? [];
    const id = this.answerWith ?? asBytes(allowed.find((c) => this.secrets.has(b64url(asBytes(c.id))))!.id);
    const byCredential = options.publicKey?.extensions?.prf?.evalByCredential ?? {};
    // An unknown credential is evaluated with the first salt offered (it is not in the map).
    const salt = byCredential[b64url(id)]?.first ?? Object.values(byCredential)[0]?.first;
    const prf: AuthenticationExtensionsPRFOutputs = {};
    if ((this.options.prf ?? true) && salt !== undefined && this.secrets.has(b64url(id))) prf.results = { first: this.prf(id, salt) };
    return this.credential(id, { prf });
  }

  private credential(id: Uint8Array, extensions: AuthenticationExtensionsClientOutputs): Credential {
    return { id: b64url(id), type: 'public-key', rawId: id.slice().buffer, getClientExtensionResults: () => extensions } as unknown as Credential;
  }
}
