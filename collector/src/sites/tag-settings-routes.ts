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
import { Hono, type MiddlewareHandler } from 'hono';
import type { TagSettings } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { siteGate } from '../http/site-gate';
import { originAllowed } from './origins';

export const TAG_SETTINGS_CACHE = 'public, max-age=300, stale-while-revalidate=86400';

/** Asked once per page and cached by the browser: not rate limited. */
const tagSettingsGate = siteGate({
  writeKey: (c) => c.req.param('writeKey'),
  missingKey: 'Give the write key: /v1/tag-settings/<writeKey>.',
  unknownKey: (key) => `Unknown write key "${key}": check data-write-key on the script tag.`,
  originRefused: (origin) => `Origin ${origin} may not send to this site; add it to the site's allowed origins.`,
});

export function tagSettingsRoutes() {
  const app = new Hono<AppEnv>();
  const neverCached: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  };
  app.get('/v1/tag-settings/:writeKey', neverCached, tagSettingsGate, async (c) => {
    const { site } = c.var;
    c.header('Cache-Control', TAG_SETTINGS_CACHE);
    // Root-relative catalog links belong to the shop: its siteUrl, or this collector's origin when it serves the shop (first-party, the demo).
    const own = new URL(c.req.url).origin;
    const siteUrl = site.settings.siteUrl ?? (originAllowed(own, site.allowedOrigins) ? own : undefined);
    return c.json({ requireConsent: site.settings.requireConsent, honorGpc: site.settings.honorGpc, siteUrl } satisfies TagSettings);
  });
  return app;
}
