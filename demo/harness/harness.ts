// Test harness for the Playwright suites: exposes the package's public API (as built in dist/)
// on `window.ov`, so tests exercise exactly what an app imports.
import * as vault from 'offline-vault';
import * as app from 'offline-vault/app';

/** What the browser tests find on `window.ov`. */
export type Harness = typeof vault & typeof app & { ready: true };

declare global {
  interface Window {
    ov: Harness;
  }
}

window.ov = { ...vault, ...app, ready: true };
