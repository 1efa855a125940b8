// Probe of Chromium's WebAuthn PRF with CDP virtual authenticators, driving src/crypto/passkey-prf.ts
// itself. The page is served from http://localhost:<port> (WebAuthn needs a secure context and a
// domain RP ID; 127.0.0.1 is refused), and src/**/*.ts is transpiled on request, so this suite
// does not depend on a fresh `npm run build`.
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import {
  addVirtualAuthenticator,
  restoreCredentials,
  saveCredentials,
  setUserVerified,
  type SavedCredential,
  type VirtualAuthenticatorOptions,
} from './virtual-authenticator.js';

type PasskeyPrf = typeof import('../../src/crypto/passkey-prf.js');

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const MODULE_URL = '/src/crypto/passkey-prf.js';

/** Serves an empty page at / and src/**\/*.ts as ES modules at /src/**\/*.js. */
async function startModuleServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith('/src/')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>passkey probe</title>');
      return;
    }
    const file = normalize(join(SRC, path.slice('/src/'.length).replace(/\.js$/, '.ts')));
    if (!file.startsWith(SRC.endsWith(sep) ? SRC : SRC + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file, 'utf8').then(
      (source) => {
        const js = ts.transpileModule(source, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        }).outputText;
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(js);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://localhost:${address.port}/`, server };
}

let origin = '';
let moduleServer: Server | undefined;
test.beforeAll(async () => {
  const started = await startModuleServer();
  origin = started.url;
  moduleServer = started.server;
});
test.afterAll(async () => {
  moduleServer?.closeAllConnections();
  await new Promise((done) => moduleServer?.close(done));
});

/** Outcome of a call in the page: hex bytes, or the error's name and code. */
interface Outcome {
  credentialId?: string;
  prfSalt?: string;
  prfOutput?: string;
  outputLength?: number;
  error?: { name: string; code?: string; causeName?: string };
}

/** registerPasskey in the page. */
function register(page: Page): Promise<Outcome> {
  return page.evaluate(async (moduleUrl) => {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const m = (await import(moduleUrl)) as PasskeyPrf;
    try {
      const r = await m.registerPasskey({ rpName: 'Probe', userName: 'probe@example.com' });
      return { credentialId: hex(r.credentialId), prfSalt: hex(r.prfSalt), prfOutput: hex(r.prfOutput), outputLength: r.prfOutput.length };
    } catch (e) {
      const error = e as { name: string; code?: string; cause?: { name?: string } };
      return { error: { name: error.name, code: String(error.code), causeName: String(error.cause?.name) } };
    }
  }, MODULE_URL);
}

/** evaluatePasskey in the page for slots given as hex. */
function evaluate(page: Page, slots: { credentialId: string; prfSalt: string }[]): Promise<Outcome> {
  return page.evaluate(
    async ([moduleUrl, hexSlots]) => {
      const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      const bytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
      const m = (await import(moduleUrl)) as PasskeyPrf;
      try {
        const slotsIn = hexSlots.map((s) => ({ credentialId: bytes(s.credentialId), prfSalt: bytes(s.prfSalt) }));
        const r = await m.evaluatePasskey({ slots: slotsIn });
        return { credentialId: hex(r.credentialId), prfOutput: hex(r.prfOutput), outputLength: r.prfOutput.length };
      } catch (e) {
        const error = e as { name: string; code?: string; cause?: { name?: string } };
        return { error: { name: error.name, code: String(error.code), causeName: String(error.cause?.name) } };
      }
    },
    [MODULE_URL, slots] as const,
  );
}

/** A raw navigator.credentials.create with prf eval, to see what Chromium itself reports. */
function rawCreate(page: Page): Promise<{ enabled: boolean | null; resultLength: number | null }> {
  return page.evaluate(async () => {
    const credential = (await navigator.credentials.create({
      publicKey: {
        rp: { name: 'Probe' },
        user: { id: crypto.getRandomValues(new Uint8Array(16)), name: 'raw', displayName: 'raw' },
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        extensions: { prf: { eval: { first: new Uint8Array(32).fill(1) } } },
      },
    })) as PublicKeyCredential;
    const prf = credential.getClientExtensionResults().prf;
    const first = prf?.results?.first as ArrayBuffer | undefined;
    return { enabled: prf?.enabled ?? null, resultLength: first?.byteLength ?? null };
  });
}

async function openProbePage(page: Page, options: VirtualAuthenticatorOptions) {
  await page.goto(origin);
  return addVirtualAuthenticator(page, options);
}

test.describe('WebAuthn PRF in Chromium (virtual authenticator)', () => {
  test('a: create with prf reports enabled and a 32-byte result; registerPasskey and evaluatePasskey agree', async ({ page }) => {
    await openProbePage(page, { prf: true });
    expect(await rawCreate(page)).toEqual({ enabled: true, resultLength: 32 });
    const reg = await register(page);
    expect(reg.error).toBeUndefined();
    expect(reg.outputLength).toBe(32);
    expect(reg.prfSalt).toHaveLength(64);
    const again = await evaluate(page, [{ credentialId: reg.credentialId!, prfSalt: reg.prfSalt! }]);
    expect(again).toEqual({ credentialId: reg.credentialId, prfOutput: reg.prfOutput, outputLength: 32 });
  });

  test('a: an hmac-secret-only authenticator evaluates on get only, and registerPasskey falls back to one get', async ({ page }) => {
    await openProbePage(page, { prf: true, hmacSecretOnly: true });
    expect(await rawCreate(page)).toEqual({ enabled: true, resultLength: null });
    const reg = await register(page);
    expect(reg.outputLength).toBe(32);
    const again = await evaluate(page, [{ credentialId: reg.credentialId!, prfSalt: reg.prfSalt! }]);
    expect(again.prfOutput).toBe(reg.prfOutput);
  });

  test('a: the PRF output survives a reload of the same tab (the authenticator is per tab)', async ({ page }) => {
    await openProbePage(page, { prf: true });
    const reg = await register(page);
    await page.reload();
    const after = await evaluate(page, [{ credentialId: reg.credentialId!, prfSalt: reg.prfSalt! }]);
    expect(after.prfOutput).toBe(reg.prfOutput);
  });

  test('c: a second credential gives a different output for the same salt; evaluatePasskey reports which one answered', async ({ page }) => {
    await openProbePage(page, { prf: true });
    const a = await register(page);
    const b = await register(page);
    expect(b.credentialId).not.toBe(a.credentialId);
    const bWithSaltA = await evaluate(page, [{ credentialId: b.credentialId!, prfSalt: a.prfSalt! }]);
    expect(bWithSaltA.credentialId).toBe(b.credentialId);
    expect(bWithSaltA.outputLength).toBe(32);
    expect(bWithSaltA.prfOutput).not.toBe(a.prfOutput);
  });

  test('d: without PRF support create reports prf.enabled false and registerPasskey throws PrfUnsupportedError', async ({ page }) => {
    await openProbePage(page, { prf: false });
    expect(await rawCreate(page)).toEqual({ enabled: false, resultLength: null });
    expect((await register(page)).error).toMatchObject({ name: 'PrfUnsupportedError', code: 'prf-unsupported' });
  });

  test('d: a credential from a PRF authenticator, evaluated on one without PRF, gives PrfUnsupportedError on get', async ({ page }) => {
    const withPrf = await openProbePage(page, { prf: true });
    const reg = await register(page);
    const saved = await saveCredentials(withPrf);
    const withoutPrf = await addVirtualAuthenticator(page, { prf: false });
    await restoreCredentials(withoutPrf, saved);
    const out = await evaluate(page, [{ credentialId: reg.credentialId!, prfSalt: reg.prfSalt! }]);
    expect(out.error).toMatchObject({ name: 'PrfUnsupportedError', code: 'prf-unsupported' });
  });

  test('failed user verification is BadCredentialsError passkey-cancelled caused by NotAllowedError', async ({ page }) => {
    const authenticator = await openProbePage(page, { prf: true });
    const reg = await register(page);
    await setUserVerified(authenticator, false);
    const out = await evaluate(page, [{ credentialId: reg.credentialId!, prfSalt: reg.prfSalt! }]);
    expect(out.error).toEqual({ name: 'BadCredentialsError', code: 'passkey-cancelled', causeName: 'NotAllowedError' });
  });
});

test.describe('b: unlock after a browser restart (persistent profile, credentials restored through CDP)', () => {
  let profile = '';
  test.beforeEach(async () => {
    profile = await mkdtemp(join(tmpdir(), 'ov-passkey-'));
  });
  test.afterEach(async () => {
    await rm(profile, { recursive: true, force: true });
  });

  async function launch(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = context.pages()[0] ?? (await context.newPage());
    return { context, page };
  }

  /** Registers in one browser, restarts it with the same profile, restores, evaluates the same slot. */
  async function acrossRestart(restorable: boolean): Promise<{ before: Outcome; after: Outcome }> {
    const first = await launch();
    const authenticator = await openProbePage(first.page, { prf: true, restorable });
    const reg = await register(first.page);
    const slot = { credentialId: reg.credentialId!, prfSalt: reg.prfSalt! };
    const before = await evaluate(first.page, [slot]);
    expect(before.prfOutput).toBe(reg.prfOutput);
    // Through JSON, as a real suite would keep it in a file between browser processes.
    const saved = JSON.parse(JSON.stringify(await saveCredentials(authenticator))) as SavedCredential[];
    await first.context.close();

    const second = await launch();
    try {
      const restored = await openProbePage(second.page, { prf: true, restorable });
      await restoreCredentials(restored, saved);
      return { before, after: await evaluate(second.page, [slot]) };
    } finally {
      await second.context.close();
    }
  }

  test("Chromium's own PRF secret is not in the CDP credential: a restored credential answers get but with no PRF result", async () => {
    const { after } = await acrossRestart(false);
    expect(after.error).toMatchObject({ name: 'PrfUnsupportedError', code: 'prf-unsupported' });
  });

  test('with restorable: true the PRF output for the same salt is identical after the restart', async () => {
    const { before, after } = await acrossRestart(true);
    expect(after.error).toBeUndefined();
    expect(after).toEqual({ credentialId: before.credentialId, prfOutput: before.prfOutput, outputLength: 32 });
  });
});
