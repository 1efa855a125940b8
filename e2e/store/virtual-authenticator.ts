// Chromium virtual WebAuthn authenticators (CDP `WebAuthn` domain) for the passkey tests.
//
// What Chromium does (probed on Chromium 156, see e2e/store/passkey-probe.spec.ts):
// - An authenticator belongs to one tab: it survives reloads and navigations of that page, other
//   tabs do not see it, and a tab holds at most one `internal` authenticator.
// - Its PRF (CTAP hmac-secret) key is random per credential and lives only in browser memory:
//   `WebAuthn.getCredentials` / `addCredential` carry the private key but no PRF secret, so a
//   credential restored after a browser restart signs assertions but returns no PRF result.
// - `restorable: true` therefore replaces the PRF results in the page with
//   HMAC-SHA-256(SHA-256(tag ‖ PKCS#8 private key), SHA-256("WebAuthn PRF" ‖ 0x00 ‖ salt)),
//   computed here in Node from the credential as the authenticator holds it. The ceremony itself
//   (user verification, allowCredentials, errors) stays Chromium's; only the 32 PRF bytes are ours,
//   and they come out identical after saveCredentials -> browser restart -> restoreCredentials.
import { createHash, createHmac } from 'node:crypto';
import type { CDPSession, Page } from '@playwright/test';

export interface VirtualAuthenticatorOptions {
  /** The authenticator supports the WebAuthn PRF extension. */
  prf: boolean;
  /** PRF only through CTAP hmac-secret: create() reports prf.enabled but evaluates on get() only. */
  hmacSecretOnly?: boolean;
  /** PRF outputs derived from the credential's private key, so they survive a browser restart. */
  restorable?: boolean;
  /** User verification succeeds (default true); false makes every ceremony fail with NotAllowedError. */
  userVerified?: boolean;
}

export interface VirtualAuthenticator {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  restorable: boolean;
}

function getCredentials(authenticator: VirtualAuthenticator) {
  return authenticator.cdp.send('WebAuthn.getCredentials', { authenticatorId: authenticator.authenticatorId });
}

/**
 * A credential as CDP `WebAuthn.getCredentials` returns it (binary fields in standard base64):
 * credentialId, rpId, privateKey (PKCS#8), userHandle, signCount, ...; no PRF secret.
 */
export type SavedCredential = Awaited<ReturnType<typeof getCredentials>>['credentials'][number];

const BINDING = '__ovVirtualPrf';
const KEY_TAG = 'offline-vault/e2e/virtual-prf/v1';

interface PageState {
  cdp: CDPSession;
  current?: VirtualAuthenticator;
  shimInstalled: boolean;
}

const pages = new WeakMap<Page, PageState>();

/**
 * Adds a CTAP 2.1 internal (platform) authenticator with resident keys and user verification to
 * `page`'s tab, replacing the one added before (Chromium allows one internal authenticator per tab).
 */
export async function addVirtualAuthenticator(page: Page, options: VirtualAuthenticatorOptions): Promise<VirtualAuthenticator> {
  const state = await pageState(page);
  if (state.current !== undefined) await removeVirtualAuthenticator(state.current);
  const { authenticatorId } = await state.cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: options.userVerified ?? true,
      automaticPresenceSimulation: true,
      hasPrf: options.prf && options.hmacSecretOnly !== true,
      hasHmacSecret: options.prf && options.hmacSecretOnly === true,
    },
  });
  const authenticator = { page, cdp: state.cdp, authenticatorId, restorable: options.prf && options.restorable === true };
  state.current = authenticator;
  if (authenticator.restorable) await installRestorablePrf(page, state);
  return authenticator;
}

/** Removes the authenticator (and with it every credential it holds). */
export async function removeVirtualAuthenticator(authenticator: VirtualAuthenticator): Promise<void> {
  const state = pages.get(authenticator.page);
  if (state?.current === authenticator) delete state.current;
  await authenticator.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: authenticator.authenticatorId });
}

/** Every credential the authenticator holds, JSON-serializable (write it to a file across processes). */
export async function saveCredentials(authenticator: VirtualAuthenticator): Promise<SavedCredential[]> {
  return (await getCredentials(authenticator)).credentials;
}

/** Adds saved credentials to an authenticator, e.g. a new one after a browser restart. */
export async function restoreCredentials(authenticator: VirtualAuthenticator, saved: readonly SavedCredential[]): Promise<void> {
  for (const credential of saved) {
    await authenticator.cdp.send('WebAuthn.addCredential', { authenticatorId: authenticator.authenticatorId, credential });
  }
}

/** Sets whether user verification succeeds (false: the next ceremonies reject with NotAllowedError). */
export async function setUserVerified(authenticator: VirtualAuthenticator, isUserVerified: boolean): Promise<void> {
  await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified });
}

async function pageState(page: Page): Promise<PageState> {
  let state = pages.get(page);
  if (state === undefined) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    state = { cdp, shimInstalled: false };
    pages.set(page, state);
  }
  return state;
}

async function installRestorablePrf(page: Page, state: PageState): Promise<void> {
  if (state.shimInstalled) return;
  state.shimInstalled = true;
  await page.exposeBinding(BINDING, async (_source, credentialId: string, salts: string[]) => {
    const current = pages.get(page)?.current;
    if (current === undefined || !current.restorable) return null;
    const { credential } = await current.cdp.send('WebAuthn.getCredential', {
      authenticatorId: current.authenticatorId,
      credentialId: Buffer.from(credentialId, 'base64url').toString('base64'),
    });
    return salts.map((salt) => derivedPrf(credential.privateKey, Buffer.from(salt, 'base64url')).toString('base64url'));
  });
  await page.addInitScript(prfShim, BINDING);
  await page.evaluate(prfShim, BINDING);
}

/** The restorable PRF: a per-credential HMAC key derived from the private key, salts hashed as browsers do. */
function derivedPrf(privateKeyBase64: string, salt: Buffer): Buffer {
  const key = createHash('sha256').update(KEY_TAG).update(Buffer.from(privateKeyBase64, 'base64')).digest();
  const input = createHash('sha256').update('WebAuthn PRF').update(Buffer.from([0])).update(salt).digest();
  return createHmac('sha256', key).update(input).digest();
}

/**
 * Runs in the page (self-contained): wraps navigator.credentials.create/get so the prf results come
 * from the Node binding. prf.enabled stays Chromium's answer; without a binding answer (authenticator
 * not restorable) the page sees Chromium's own results.
 */
function prfShim(binding: string): void {
  const w = window as unknown as Record<string, unknown>;
  const creds = navigator.credentials as CredentialsContainer | undefined;
  if (w['__ovPrfShim'] === true || creds === undefined) return;
  w['__ovPrfShim'] = true;
  const toB64u = (source: BufferSource): string => {
    const bytes = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const fromB64u = (s: string): Uint8Array<ArrayBuffer> =>
    Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const patch = async (credential: Credential | null, values: AuthenticationExtensionsPRFValues | undefined, atCreate: boolean) => {
    if (credential === null || !('rawId' in credential) || values === undefined) return credential;
    const pk = credential as PublicKeyCredential;
    const real = pk.getClientExtensionResults();
    if (real.prf === undefined || (atCreate && real.prf.enabled !== true)) return credential;
    const salts = values.second === undefined ? [values.first] : [values.first, values.second];
    const call = w[binding] as (id: string, salts: string[]) => Promise<string[] | null>;
    const outputs = await call(toB64u(pk.rawId), salts.map(toB64u));
    if (outputs === null) return credential;
    const results: AuthenticationExtensionsPRFValues = { first: fromB64u(outputs[0]!).buffer };
    if (outputs[1] !== undefined) results.second = fromB64u(outputs[1]).buffer;
    const extensions = { ...real, prf: { ...real.prf, results } };
    Object.defineProperty(pk, 'getClientExtensionResults', { value: () => extensions, configurable: true });
    return credential;
  };
  const create = creds.create.bind(creds);
  const get = creds.get.bind(creds);
  creds.create = async (options?: CredentialCreationOptions) =>
    patch(await create(options), options?.publicKey?.extensions?.prf?.eval, true);
  creds.get = async (options?: CredentialRequestOptions) => {
    const credential = await get(options);
    const prf = options?.publicKey?.extensions?.prf;
    const id = credential !== null && 'rawId' in credential ? toB64u((credential as PublicKeyCredential).rawId) : '';
    return patch(credential, prf?.evalByCredential?.[id] ?? prf?.eval, false);
  };
}
