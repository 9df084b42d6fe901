/**
 * Browser and whole-system tests: Playwright driving Chromium against
 * `npm start` (wrangler dev on a fresh local state). The browser is found by
 * scripts/lib/find-chromium.mjs (CHROMIUM_PATH, a system Chromium, or the one
 * in @sparticuz/chromium), never downloaded.
 */
import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS } from './scripts/lib/find-chromium.mjs';

const port = Number(process.env.TM_TEST_PORT ?? 8791);
export const TEST_ADMIN_TOKEN = 'e2e-admin-token';
const stateDir = process.env.TM_TEST_STATE_DIR ?? path.join(os.tmpdir(), `trailmark-e2e-${process.pid}`);
process.env.TM_TEST_STATE_DIR = stateDir;

export default defineConfig({
  testDir: '.',
  testMatch: ['sdk/test/browser/**/*.spec.ts', 'demo-site/test/e2e/**/*.spec.ts', 'collector/test/e2e/**/*.spec.ts'],
  globalSetup: './scripts/playwright-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.TM_CHROMIUM, args: CHROMIUM_ARGS },
    // Headless Chromium names itself "HeadlessChrome", which the collector rightly flags as a bot;
    // shoppers in these tests should look like the people they stand for.
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36',
    trace: 'off',
  },
  webServer: {
    command: 'node scripts/start.mjs',
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    // Static files of the server's own: `wrangler dev` reloads the Worker when its folder changes, failing the
    // requests under way, and dist/public is rebuilt by whatever else runs in this checkout (a build, a benchmark,
    // another test run).
    env: { PORT: String(port), STATE_DIR: stateDir, ASSETS_DIR: path.join(stateDir, 'assets'), ADMIN_TOKEN: TEST_ADMIN_TOKEN },
  },
});
