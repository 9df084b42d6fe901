/**
 * What the SDK's browser tests share: fixture pages served from another
 * origin than the collector (127.0.0.1 vs localhost: the realistic
 * third-party case), a fresh site (write key) per test so that each test
 * reads only its own events, and reading what the collector stored through
 * the admin API.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Page, Request } from '@playwright/test';
import * as adminApi from '../../../demo-site/simulate/admin-client';

export const ADMIN_TOKEN = 'e2e-admin-token';

export type Stored = Record<string, any> & { type: string; messageId: string; anonymousId?: string; userId?: string; event?: string };

/** A new site on the collector, allowing the fixture origins; settings as the admin API takes them. */
export async function createSite(
  baseURL: string,
  settings: Record<string, unknown> = {},
  allowedOrigins = ['http://127.0.0.1:*', 'http://localhost:*'],
): Promise<string> {
  const writeKey = `sdk-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await adminApi.putSite({ url: baseURL, adminToken: ADMIN_TOKEN, writeKey, allowedOrigins, settings });
  return writeKey;
}

/** A test's few messages are stored in well under a second; the bound only ends a wait that never would. */
const STORED_WITHIN_MS = 45_000;

/** Every event the collector stored for a write key, oldest first, once that site's backlog (not the demo seed's) is stored. */
export async function storedEvents(baseURL: string, writeKey: string): Promise<Stored[]> {
  const admin = { url: baseURL, adminToken: ADMIN_TOKEN };
  await adminApi.waitUntilStored({ ...admin, writeKey, timeoutMs: STORED_WITHIN_MS, intervalMs: 100 });
  return adminApi.exportEvents<Stored>({ ...admin, writeKey });
}

/** Polls the stored events until `enough` holds (the tag sends on its own schedule), then returns them. */
export async function eventually(baseURL: string, writeKey: string, enough: (events: Stored[]) => boolean, timeoutMs = 15_000): Promise<Stored[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await storedEvents(baseURL, writeKey);
    if (enough(events) || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Fails when a stored messageId appears twice. */
export function duplicates(events: Stored[]): string[] {
  const seen = new Set<string>();
  return events.map((e) => e.messageId).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

export interface PageOptions {
  /** The collector the tag comes from (the test's baseURL). */
  collector: string;
  writeKey?: string;
  /** More data-* attributes of the tag, e.g. { 'data-require-consent': '' }. */
  attributes?: Record<string, string>;
  /** HTML before the tag (e.g. the snippet, a data layer). */
  head?: string;
  body?: string;
  title?: string;
  /** Leave the tag out (a page that loads it some other way). */
  noTag?: boolean;
  nonce?: string;
}

export function tagPage(options: PageOptions): string {
  // Web vitals arrive on their own schedule; tests that count events switch them off unless they test them.
  const attributes = { 'data-write-key': options.writeKey ?? '', 'data-web-vitals': 'false', ...options.attributes };
  const attrs = Object.entries(attributes)
    .map(([k, v]) => (v === '' ? ` ${k}` : ` ${k}="${v}"`))
    .join('');
  const nonce = options.nonce ? ` nonce="${options.nonce}"` : '';
  const tag = options.noTag ? '' : `<script async src="${options.collector}/tag.js"${attrs}${nonce}></script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${options.title ?? 'Fixture'}</title>${options.head ?? ''}${tag}</head><body>${options.body ?? '<h1>Fixture</h1>'}</body></html>`;
}

type Route = { body: string; headers?: Record<string, string>; status?: number };

/**
 * A tiny static server for fixture pages on 127.0.0.1 (another origin than
 * the collector on localhost). Pages are registered at run time; a path
 * without a page of its own gets the page registered for its first segment
 * (`/app/…` → `/app`), as a single-page app's server would.
 */
export class FixtureServer {
  private routes = new Map<string, Route | ((req: IncomingMessage) => Route)>();
  private server = createServer((req, res) => this.handle(req, res));
  origin = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Serves `body` at `path` and returns its URL. */
  serve(path: string, body: string | ((req: IncomingMessage) => Route), headers?: Record<string, string>): string {
    this.routes.set(path, typeof body === 'string' ? { body, headers } : body);
    return this.origin + path;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const found = this.routes.get(url.pathname) ?? this.routes.get(`/${url.pathname.split('/')[1]}`);
    if (!found) {
      res.writeHead(404).end('not found');
      return;
    }
    const route = typeof found === 'function' ? found(req) : found;
    const type = url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(route.status ?? 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', ...route.headers }).end(route.body);
  }
}

/** The batches the page sent to the collector, as the network saw them (body parsed). */
export function recordBatches(page: Page): { requests: Request[]; messageIds: () => string[] } {
  const requests: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().includes('/v1/batch')) requests.push(request);
  });
  return {
    requests,
    messageIds: () => requests.flatMap((r) => (JSON.parse(r.postData() ?? '{}').batch ?? []).map((m: { messageId: string }) => m.messageId)),
  };
}

/** Waits until the tag has loaded and returns its anonymousId. */
export async function tagReady(page: Page): Promise<string> {
  await page.waitForFunction(() => typeof (window as any).trailmark?.anonymousId === 'function' && (window as any).trailmark.anonymousId());
  return page.evaluate(() => (window as any).trailmark.anonymousId() as string);
}

/**
 * Waits until the tag has stored the visitor's ids (localStorage `tm_aid`, written with the cookie). The tag
 * stores nothing until it knows consent allows it, which on a site that requires none is when the site's
 * settings arrive: a test that reads storage or reloads right after tagReady() would race that answer.
 */
export async function identityStored(page: Page): Promise<void> {
  await page.waitForFunction(() => localStorage.getItem('tm_aid') !== null && localStorage.getItem('tm_sid') !== null);
}

/** trailmark.flush() in the page. */
export const flush = (page: Page) => page.evaluate(() => (window as any).trailmark.flush());
