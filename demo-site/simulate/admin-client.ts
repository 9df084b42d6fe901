/**
 * The admin calls that simulations, the seed, benchmarks and end-to-end tests
 * make: is the collector up, create a site, load the catalog, wait until
 * everything accepted is stored, export what was stored. Each failure says
 * what to do.
 */
import type { Product } from '@trailmark/schema';
import { catalogNdjson } from './catalog';
import { SendError, networkError, normaliseUrl, serverMessage } from './send';

export interface AdminOptions {
  url: string;
  adminToken: string;
  fetch?: typeof fetch;
}

/** Fails with a helpful message unless the collector answers GET /healthz. */
export async function checkCollector(url: string, doFetch: typeof fetch = fetch): Promise<void> {
  const base = normaliseUrl(url);
  let response: Response;
  try {
    response = await doFetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw networkError(base, err);
  }
  if (!response.ok) {
    throw new SendError(`${base}/healthz answered ${response.status}: is this a Trailmark collector? Check --url.`, response.status);
  }
}

export type CatalogUploadResult =
  | { status: 'loaded'; loaded: number; rejected: number; catalogSize?: number }
  /** The collector has no bulk catalog endpoint; it learns products from product events instead. */
  | { status: 'unsupported' };

/** `PUT /v1/admin/catalog` with one Product per line (NDJSON). */
export async function uploadCatalog(options: AdminOptions & { writeKey: string; products: readonly Product[] }): Promise<CatalogUploadResult> {
  const base = normaliseUrl(options.url);
  const response = await adminFetch(options, `${base}/v1/admin/catalog?writeKey=${encodeURIComponent(options.writeKey)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/x-ndjson' },
    body: catalogNdjson(options.products),
  });
  if (response.status === 404) return { status: 'unsupported' };
  const body = await response.text();
  if (!response.ok) throw new SendError(`Catalog upload failed (${response.status}): ${serverMessage(body)}`, response.status);
  const result = JSON.parse(body) as { loaded?: number; rejected?: unknown[]; catalogSize?: number };
  return {
    status: 'loaded',
    loaded: result.loaded ?? options.products.length,
    rejected: Array.isArray(result.rejected) ? result.rejected.length : 0,
    ...(typeof result.catalogSize === 'number' ? { catalogSize: result.catalogSize } : {}),
  };
}

/**
 * Messages accepted but not yet stored (`GET /v1/admin/ingest-status`), of one
 * site when `writeKey` is given, else of all; also checks the admin token.
 */
export async function pendingMessages(options: AdminOptions & { writeKey?: string }): Promise<number> {
  const query = options.writeKey === undefined ? '' : `?writeKey=${encodeURIComponent(options.writeKey)}`;
  const response = await adminFetch(options, `${normaliseUrl(options.url)}/v1/admin/ingest-status${query}`);
  const body = await response.text();
  if (!response.ok) throw new SendError(`ingest-status answered ${response.status}: ${serverMessage(body)}`, response.status);
  const { pending } = JSON.parse(body) as { pending: number };
  return pending;
}

/**
 * Polls `GET /v1/admin/ingest-status` until nothing accepted is still waiting
 * to be stored (for one site when `writeKey` is given: another site's backlog,
 * such as the demo seed's, is not waited for). Returns the milliseconds waited.
 */
export async function waitUntilStored(
  options: AdminOptions & { writeKey?: string; timeoutMs?: number; intervalMs?: number; onPending?: (pending: number) => void },
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = Date.now();
  for (;;) {
    const pending = await pendingMessages(options);
    if (pending === 0) return Date.now() - started;
    options.onPending?.(pending);
    if (Date.now() - started > timeoutMs) {
      const of = options.writeKey === undefined ? '' : ` for ${options.writeKey}`;
      throw new SendError(`${pending} messages${of} were still waiting to be stored after ${Math.round(timeoutMs / 1000)} s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

/** `PUT /v1/admin/sites/:writeKey`: creates (or changes) a site. */
export async function putSite(
  options: AdminOptions & { writeKey: string; name?: string; allowedOrigins: string[]; settings?: Record<string, unknown> },
): Promise<void> {
  const response = await adminFetch(options, `${normaliseUrl(options.url)}/v1/admin/sites/${encodeURIComponent(options.writeKey)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: options.name ?? options.writeKey, allowedOrigins: options.allowedOrigins, settings: options.settings ?? {} }),
  });
  if (!response.ok)
    throw new SendError(`Creating site ${options.writeKey} failed (${response.status}): ${serverMessage(await response.text())}`, response.status);
}

/**
 * Every stored event of a site, oldest first (`GET /v1/admin/export`,
 * following `Next-Cursor`). Does not wait for pending messages: call
 * `waitUntilStored` first when the count matters.
 */
export async function exportEvents<T = Record<string, any>>(options: AdminOptions & { writeKey: string; pageSize?: number }): Promise<T[]> {
  const base = normaliseUrl(options.url);
  const events: T[] = [];
  let cursor = '';
  do {
    const query = `writeKey=${encodeURIComponent(options.writeKey)}&limit=${options.pageSize ?? 5000}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await adminFetch(options, `${base}/v1/admin/export?${query}`);
    const body = await response.text();
    if (!response.ok) throw new SendError(`Export failed (${response.status}): ${serverMessage(body)}`, response.status);
    for (const line of body.split('\n')) if (line) events.push(JSON.parse(line) as T);
    cursor = response.headers.get('next-cursor') ?? '';
  } while (cursor);
  return events;
}

/** An admin request; turns the answers that mean "wrong token" or "admin off" into clear errors. */
async function adminFetch(options: AdminOptions, url: string, init: RequestInit = {}): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${options.adminToken}` } });
  } catch (err) {
    throw networkError(new URL(url).origin, err);
  }
  if (response.status === 401 || response.status === 403) {
    throw new SendError('The collector refused the admin token. Use the one `npm start` printed (ADMIN_TOKEN or --admin-token).', response.status);
  }
  if (response.status === 503) {
    const body = await response.text();
    throw new SendError(`Admin endpoints are off on this collector: ${serverMessage(body)}`, 503);
  }
  return response;
}
