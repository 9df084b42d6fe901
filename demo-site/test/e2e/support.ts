/**
 * The demo site's end-to-end tests talk to the `npm start` that Playwright
 * runs (playwright.config.ts): its admin API, the seed marker, and the
 * shop's pages. Nothing here reaches into the collector's storage.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type ConsoleMessage, type LaunchOptions, type Locator, type Page, expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../../scripts/lib/find-chromium.mjs';
import * as adminApi from '../../simulate/admin-client';

export const ADMIN_TOKEN = 'e2e-admin-token';
export const WRITE_KEY = 'demo-write-key';
export const SCREENSHOTS = path.resolve('test-results', 'screenshots');
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

const SHOPPER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36';

/**
 * The browser for these tests, with a shopper's user agent set for the
 * whole browser. playwright.config.ts sets it per page, which covers what a
 * page sends while it is open, but a request the tag sends with `keepalive`
 * as a page goes away outlives the page and leaves with Chromium's own
 * "HeadlessChrome" agent, which the collector rightly files as a bot and
 * leaves out of the stats. Use with `test.use({ launchOptions: shopperBrowser })`.
 */
export const shopperBrowser: LaunchOptions = {
  ...(process.env.TM_CHROMIUM ? { executablePath: process.env.TM_CHROMIUM } : {}),
  args: [...CHROMIUM_ARGS, `--user-agent=${SHOPPER_USER_AGENT}`],
};

/** A stored event as GET /v1/admin/export gives it. */
export type StoredEvent = {
  type: string;
  event?: string;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  profileId: string;
  timestamp: string;
  properties?: Record<string, any>;
  context?: Record<string, any>;
};

/**
 * `npm start` seeds an empty state after the server is up, so the first
 * tests could otherwise count while the seed still arrives. demo-site/seed.ts
 * writes `demo-seed.json` into the state directory when it is done.
 */
export async function waitForDemoSeed(timeoutMs = 420_000): Promise<void> {
  // The wait for the seed is not the test's own time: the first test of a run waits for all of it.
  test.info().setTimeout(test.info().timeout + timeoutMs);
  const stateDir = process.env.TM_TEST_STATE_DIR;
  if (!stateDir) throw new Error('TM_TEST_STATE_DIR is not set: run these tests through playwright.config.ts');
  const marker = path.join(stateDir, 'demo-seed.json');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(marker)) {
    if (Date.now() > deadline) throw new Error(`The demo seed did not finish within ${timeoutMs / 1000} s (no ${marker}).`);
    await sleep(500);
  }
  const { status, error } = JSON.parse(await readFile(marker, 'utf8')) as { status: string; error?: string };
  if (status === 'failed') throw new Error(`Seeding the demo data failed: ${error}`);
}

export async function adminJson<T>(baseURL: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(baseURL + pathAndQuery, { headers: admin });
  if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Waits until the demo site's accepted messages are stored (other sites' backlogs are not waited for). */
export async function waitUntilStored(baseURL: string, timeoutMs = 45_000): Promise<void> {
  await adminApi.waitUntilStored({ url: baseURL, adminToken: ADMIN_TOKEN, writeKey: WRITE_KEY, timeoutMs, intervalMs: 150 });
}

/** Every stored event of the demo site, following Next-Cursor. */
export function exportAll(baseURL: string): Promise<StoredEvent[]> {
  return adminApi.exportEvents<StoredEvent>({ url: baseURL, adminToken: ADMIN_TOKEN, writeKey: WRITE_KEY, pageSize: 10_000 });
}

/** Polls until `predicate` holds; returns the last value either way (the caller's expect says what was missing). */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value) || Date.now() > deadline) return value;
    await sleep(300);
  }
}

/**
 * Console errors and uncaught exceptions of a page. A failed resource load
 * the test caused on purpose (the 404 page itself, a refused admin token)
 * is passed in `expected` as part of its URL.
 */
export function watchConsole(page: Page, expected: string[] = []): () => string[] {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const where = message.location().url;
    if (expected.some((part) => where.includes(part))) return;
    problems.push(`${message.type()}: ${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  // The console says only "status of 503"; the body tells the collector's own answer (JSON naming the
  // error) from `wrangler dev`'s ("Your worker restarted mid-request"), so a failure says which it was.
  page.on('response', (response) => {
    if (response.status() < 500 || expected.some((part) => response.url().includes(part))) return;
    const where = `${response.request().method()} ${response.url()}`;
    response.text().then(
      (body) => problems.push(`server error ${response.status()} at ${where}: ${body.slice(0, 300)}`),
      () => problems.push(`server error ${response.status()} at ${where} (body not readable)`),
    );
  });
  return () => problems;
}

/** Saves test-results/screenshots/<name>.png: the whole page, or what one part of it shows. */
export async function screenshot(page: Page, name: string, part?: Locator): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  if (part) await part.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

/** Waits until the tag has filled every recommendation slot on the page (rendered, or failed). */
export async function slotsSettled(page: Page): Promise<void> {
  await expect(page.locator('[data-trailmark-slot]:not([data-trailmark-state="rendered"]):not([data-trailmark-state="failed"])')).toHaveCount(0, {
    timeout: 15_000,
  });
}

/** Opens the dashboard with the test's admin token and waits for its figures. */
export async function openDashboard(page: Page): Promise<void> {
  await page.goto('/dashboard');
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.locator('[data-kpi="Visitors"] .kpi-value')).toBeVisible();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
