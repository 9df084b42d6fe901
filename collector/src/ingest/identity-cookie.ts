/**
 * When the collector is served on the shop's own site (a Worker route under a
 * neutral path), each event response re-sets the anonymousId cookie from the
 * server. Browsers cap cookies written by scripts (Safari: 7 days); a cookie
 * set by an HTTP response of the site itself keeps its full lifetime.
 *
 * Only the id the browser itself presented with the request is renewed, and
 * only when the batch speaks for it. An id taken from the messages could be
 * one the page has since reset (a logout): a batch often carries the last
 * messages recorded before `reset()`, and a response still in flight lands
 * after it. Setting that id again would join the next anonymous visitor of a
 * shared device to the last customer.
 */
import type { Context } from 'hono';
import { IDENTITY_COOKIE, IDENTITY_COOKIE_MAX_AGE_S } from '@trailmark/schema';
import type { Site } from '../sites/site';

export function refreshIdentityCookie(c: Context, site: Site, anonymousIds: ReadonlySet<string>): void {
  if (!isSameSite(c.req.raw)) return;
  const presented = presentedId(c.req.header('cookie'));
  if (!presented || !anonymousIds.has(presented)) return;
  const url = new URL(c.req.url);
  const domain = site.settings.cookieDomain;
  const parts = [`${IDENTITY_COOKIE}=${encodeURIComponent(presented)}`, 'Path=/', `Max-Age=${IDENTITY_COOKIE_MAX_AGE_S}`, 'SameSite=Lax'];
  if (domain && (url.hostname === domain || url.hostname.endsWith(`.${domain}`))) parts.push(`Domain=${domain}`);
  if (url.protocol === 'https:') parts.push('Secure');
  c.header('Set-Cookie', parts.join('; '), { append: true });
}

/** The anonymousId in the request's own cookie, decoded; undefined when absent or malformed. */
export function presentedId(cookieHeader: string | undefined): string | undefined {
  const match = cookieHeader && new RegExp(`(?:^|;\\s*)${IDENTITY_COOKIE}=([^;]*)`).exec(cookieHeader);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!) || undefined;
  } catch {
    return undefined;
  }
}

function isSameSite(request: Request): boolean {
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin' || fetchSite === 'same-site';
  const origin = request.headers.get('origin');
  return origin !== null && origin === new URL(request.url).origin;
}
