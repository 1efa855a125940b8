import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The demo PWA (demo/ -> demo-dist/). It imports only the package's public entry points
 * ('offline-vault', 'offline-vault/app'); Vite resolves them as a package self-reference through
 * package.json "exports" to the built library in dist/ (scripts/build.mjs runs tsc first).
 * demo/harness/ is a bare page for the Playwright tests that exposes the API as `window.ov`.
 */
export default defineConfig({
  root: here('./demo/'),
  base: '/',
  publicDir: here('./demo/public/'),
  build: {
    outDir: here('./demo-dist/'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: {
        main: here('./demo/index.html'),
        harness: here('./demo/harness/index.html'),
      },
    },
  },
  // Service worker build (sw/ -> demo-dist/sw.js with the precache manifest) is added here in a later issue.
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
});
