#!/usr/bin/env node
// Finds a system Chromium for Playwright. Never downloads Playwright's own browsers: the
// Debian package is the supported browser here (`npx playwright install` needs a CDN we lack).
import { execSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Returns the first executable Chromium path (CHROMIUM_PATH first), or null. */
export function findChromium(env = process.env) {
  const candidates = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH, ...CANDIDATES] : CANDIDATES;
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not there or not executable: try the next one
    }
  }
  return null;
}

function main() {
  let path = findChromium();
  if (path === null && typeof process.getuid === 'function' && process.getuid() === 0) {
    execSync('apt-get update && apt-get install -y chromium', { stdio: 'inherit' });
    path = findChromium();
  }
  if (path === null) {
    console.error("Chromium not found: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH) and retry.");
    process.exit(1);
  }
  console.log(`Chromium: ${path}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
