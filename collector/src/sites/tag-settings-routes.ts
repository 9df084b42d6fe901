/**
 * `GET /v1/tag-settings/:writeKey`: what the tag must know of its site
 * before it stores or sends anything (consent and Global Privacy Control),
 * so that these are configured once, in the site's settings, and the tag and
 * the collector can never disagree about them.
 *
 * Asked by the tag on every page, so it is made to cost almost nothing: a
 * few bytes, cached by the browser for five minutes and served stale for a
 * day while it is refreshed. A refusal (unknown key, origin not allowed) is
 * readable by the page (http/cors.ts) and never cached, so the tag learns at
 * once, before sending any event, that it is misconfigured and why.
 */
import { Hono } from 'hono';
import type { TagSettings } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { ApiError } from '../http/errors';
import { originAllowed } from './origins';
import { findSite } from './site-directory';

export const TAG_SETTINGS_CACHE = 'public, max-age=300, stale-while-revalidate=86400';

export function tagSettingsRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/v1/tag-settings/:writeKey', async (c) => {
    c.header('Cache-Control', 'no-store');
    const writeKey = c.req.param('writeKey');
    const site = await findSite(c.env, writeKey);
    if (!site) throw new ApiError(401, 'unknown_write_key', `Unknown write key "${writeKey.slice(0, 64)}": check data-write-key on the script tag.`);
    const origin = c.req.header('origin');
    if (origin && !originAllowed(origin, site.allowedOrigins)) {
      throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} may not send to this site; add it to the site's allowed origins.`);
    }
    c.header('Cache-Control', TAG_SETTINGS_CACHE);
    // Root-relative catalog links belong to the shop: its siteUrl, or this collector's origin when it serves the shop (first-party, the demo).
    const own = new URL(c.req.url).origin;
    const siteUrl = site.settings.siteUrl ?? (originAllowed(own, site.allowedOrigins) ? own : undefined);
    return c.json({ requireConsent: site.settings.requireConsent, honorGpc: site.settings.honorGpc, siteUrl } satisfies TagSettings);
  });
  return app;
}
