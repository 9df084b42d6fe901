/**
 * When the collector is served on the shop's own site (a Worker route under a
 * neutral path), each event response re-sets the anonymousId cookie from the
 * server. Browsers cap cookies written by scripts (Safari: 7 days); a cookie
 * set by an HTTP response of the site itself keeps its full lifetime.
 */
import type { Context } from 'hono';
import { IDENTITY_COOKIE, IDENTITY_COOKIE_MAX_AGE_S } from '@trailmark/schema';
import type { Site } from '../sites/site';

export function refreshIdentityCookie(c: Context, site: Site, anonymousId: string): void {
  if (!isSameSite(c.req.raw)) return;
  const url = new URL(c.req.url);
  const domain = site.settings.cookieDomain;
  const parts = [
    `${IDENTITY_COOKIE}=${encodeURIComponent(anonymousId)}`,
    'Path=/',
    `Max-Age=${IDENTITY_COOKIE_MAX_AGE_S}`,
    'SameSite=Lax',
  ];
  if (domain && (url.hostname === domain || url.hostname.endsWith(`.${domain}`))) parts.push(`Domain=${domain}`);
  if (url.protocol === 'https:') parts.push('Secure');
  c.header('Set-Cookie', parts.join('; '), { append: true });
}

function isSameSite(request: Request): boolean {
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin' || fetchSite === 'same-site';
  const origin = request.headers.get('origin');
  return origin !== null && origin === new URL(request.url).origin;
}
