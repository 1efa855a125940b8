import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin, type UserConfig } from 'vite';
import { injectManifest } from 'workbox-build';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** A service worker to build: `entry` bundled into one classic script at `out`, precaching `app`. */
interface WorkerBuild {
  entry: string;
  out: string;
  /** Directory (inside demo-dist/) whose files the worker precaches; URLs are relative to the worker. */
  app: string;
  /** Globs (relative to `app`) left out of the precache. */
  ignore: string[];
}

/** Builds the `offline-vault/sw` library entry (dist/sw/) that the demo and the workers import. */
function buildSwLibrary(): void {
  const result = spawnSync(process.execPath, [here('./sw/build-sw-lib.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building offline-vault/sw (sw/build-sw-lib.mjs) failed');
}

/**
 * Builds after the demo:
 * 1. the service-worker test page e2e/sw/app/ -> demo-dist/sw-test/ (base /sw-test/);
 * 2. each service worker as one classic script (Vite library mode, IIFE), then workbox-build's
 *    injectManifest replaces `self.__WB_MANIFEST` with the revisioned list of the built files.
 */
function serviceWorkers(workers: WorkerBuild[]): Plugin {
  let done = false;
  let outDir = here('./demo-dist/');
  return {
    name: 'offline-vault-service-workers',
    apply: 'build',
    configResolved(config) {
      outDir = `${config.build.outDir.replace(/\/$/, '')}/`;
    },
    async closeBundle() {
      if (done) return; // closeBundle runs once per output; build the workers once
      done = true;
      await build({
        configFile: false,
        logLevel: 'warn',
        root: here('./e2e/sw/app/'),
        base: '/sw-test/',
        publicDir: false,
        build: { outDir: `${outDir}sw-test/`, emptyOutDir: true, target: 'es2022', sourcemap: true },
      });
      const scratch = here('./node_modules/.cache/offline-vault-sw/');
      for (const worker of workers) {
        const fileName = `${worker.out.replaceAll('/', '_')}`;
        await build({
          configFile: false,
          logLevel: 'warn',
          publicDir: false,
          // workbox keeps its development logging behind this check.
          define: { 'process.env.NODE_ENV': JSON.stringify('production') },
          build: {
            outDir: scratch,
            emptyOutDir: false,
            target: 'es2022',
            sourcemap: false,
            lib: { entry: here(worker.entry), formats: ['iife'], name: 'offlineVaultWorker', fileName: () => fileName },
          },
        });
        const { count, size, warnings } = await injectManifest({
          swSrc: `${scratch}${fileName}`,
          swDest: `${outDir}${worker.out}`,
          globDirectory: `${outDir}${worker.app}`,
          globPatterns: ['**/*.{html,js,css,svg,png,ico,webmanifest,woff2}'],
          globIgnores: ['**/*.map', 'sw.js', ...worker.ignore],
          // Vite's hashed assets carry their revision in the name.
          dontCacheBustURLsMatching: /assets\/.+-[\w-]{8,}\./,
        });
        for (const warning of warnings) console.warn(`${worker.out}: ${warning}`);
        console.log(`${worker.out}: precaches ${count} files, ${(size / 1024).toFixed(1)} KiB`);
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * The demo PWA (demo/ -> demo-dist/). It imports only the package's public entry points
 * ('offline-vault', 'offline-vault/app', 'offline-vault/sw'); Vite resolves them as a package
 * self-reference through package.json "exports" to the built library in dist/ (scripts/build.mjs
 * runs tsc first). demo/harness/ is a bare page for the Playwright tests that exposes the API as
 * `window.ov`. The service workers (demo-dist/sw.js, demo-dist/sw-test/sw.js) are built after it.
 */
const config = {
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
  plugins: [
    serviceWorkers([
      { entry: './demo/src/sw.ts', out: 'sw.js', app: '', ignore: ['harness/**', 'sw-test/**', 'assets/harness-*'] },
      { entry: './e2e/sw/app/sw.ts', out: 'sw-test/sw.js', app: 'sw-test/', ignore: [] },
    ]),
  ],
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
} satisfies UserConfig;

export default defineConfig(({ command }) => {
  // scripts/build.mjs empties dist/ and runs tsc; unless it also runs sw/build-sw-lib.mjs, do it here.
  if (command === 'build' && !existsSync(here('./dist/sw/index.js'))) buildSwLibrary();
  return config;
});
