#!/usr/bin/env node
// `npm test`: unit tests (Vitest), then build, then browser tests (Playwright on the system
// Chromium). The browser tests run even when unit tests fail. The last line is always
// `N passed, N failed[, N skipped]`; exit code 1 if anything failed or nothing ran.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findChromium } from './ensure-chromium.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const reports = fileURLToPath(new URL('../playwright-report/', import.meta.url));
const unitReport = `${reports}unit.json`;
const e2eReport = `${reports}e2e.json`;
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Counts from Vitest's JSON report; a test file that failed to load counts as one failure. */
function countUnit(report) {
  if (report === null) return { passed: 0, failed: 1, skipped: 0, note: 'vitest wrote no report' };
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** Counts from Playwright's JSON report; errors outside tests (config, global setup) count as failures. */
function countE2e(report) {
  if (report === null) return { passed: 0, failed: 1, skipped: 0, note: 'playwright wrote no report' };
  const stats = report.stats ?? {};
  return {
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: (stats.unexpected ?? 0) + (report.errors ?? []).length,
    skipped: stats.skipped ?? 0,
  };
}

if (run(process.execPath, [fileURLToPath(new URL('./ensure-chromium.mjs', import.meta.url))]) !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const chromium = findChromium();
mkdirSync(reports, { recursive: true });
rmSync(unitReport, { force: true });
rmSync(e2eReport, { force: true });

console.log('\n== unit tests (vitest) ==');
run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitReport}`]);
const unit = countUnit(readJson(unitReport));

console.log('\n== build ==');
let e2e;
if (run('npm', ['run', 'build']) !== 0) {
  e2e = { passed: 0, failed: 1, skipped: 0, note: 'build failed, browser tests not run' };
} else {
  console.log('\n== browser tests (playwright) ==');
  run(bin('playwright'), ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: e2eReport,
    CHROMIUM_PATH: chromium ?? '',
  });
  e2e = countE2e(readJson(e2eReport));
}

for (const [label, counts] of [['unit', unit], ['browser', e2e]]) {
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
  console.log(`${label}: ${counts.passed} passed, ${counts.failed} failed${skipped}${counts.note ? ` (${counts.note})` : ''}`);
}
const passed = unit.passed + e2e.passed;
const failed = unit.failed + e2e.failed;
const skipped = unit.skipped + e2e.skipped;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
