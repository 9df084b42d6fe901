/**
 * `npm test`: builds, checks the formatting, type checks, then every Vitest suite (unit tests in Node, the
 * collector inside the Workers runtime), then the browser and whole-system
 * tests (Playwright driving Chromium against `npm start`). Stops at the
 * first failing stage and exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './lib/dev-server.mjs';

const bin = (pkg, file) => path.join(ROOT, 'node_modules', pkg, file);
const stages = [
  // The Worker's static assets (the tag, the demo pages) must exist before the Worker can start.
  ['build', [path.join(ROOT, 'scripts', 'build.mjs')]],
  // One layout for every source file, so a diff shows only what changed (`npm run format` rewrites).
  ['format', [bin('prettier', 'bin/prettier.cjs'), '--check', '.']],
  ['types', [bin('typescript', 'bin/tsc'), '-b', 'tsconfig.json']],
  ['unit and Workers-runtime tests', [bin('vitest', 'vitest.mjs'), 'run']],
  ['browser and end-to-end tests', [bin('@playwright/test', 'cli.js'), 'test']],
];

for (const [name, [script, ...args]] of stages) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
  console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
