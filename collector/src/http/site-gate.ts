/**
 * The gate in front of every route a shop's pages and its peers' clients
 * call with a write key (ingest, recommendations, tag settings, the peer
 * config documents): it finds the key's site, refuses an Origin the site
 * does not allow and takes a token from the key's rate limit, once per
 * request, then sets `c.var.site` for the route.
 *
 * Each route keeps its own words for a refusal, since what the caller has
 * to fix differs (the snippet's key, the script tag's data-write-key, a
 * peer's settings); the checks and their order are the same everywhere.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { takeToken } from '../ingest/rate-limit';
import { originAllowed } from '../sites/origins';
import type { Site } from '../sites/site';
import { allAllowedOrigins, findSite } from '../sites/site-directory';
import { ApiError } from './errors';

export interface SiteGate {
  /** The request's write key, where this route carries it. */
  writeKey(c: Context<AppEnv>): string | undefined;
  /** The 401 message without a key. */
  missingKey: string;
  /** The 401 message for a key no site has (the key cut to 64 characters). */
  unknownKey(key: string): string;
  /** The 403 message for an Origin the site does not allow. */
  originRefused(origin: string): string;
  /** The key's rate-limit bucket; without one the route is not rate limited (answers the browser caches). */
  rateBucket?(writeKey: string): string;
  /**
   * The key may come in the body instead (sendBeacon cannot set headers).
   * Without one in the headers or URL the gate refuses only an Origin no
   * site allows, before the body is read, and the route admits the body's
   * key with `admitSite` once it has it.
   */
  keyMayBeInBody?: boolean;
}

export function siteGate(gate: SiteGate): MiddlewareHandler<AppEnv> {
  return async function siteGate(c, next) {
    const writeKey = gate.writeKey(c);
    if (writeKey || !gate.keyMayBeInBody) await admitSite(c, gate, writeKey);
    else await admitAnySiteOrigin(c, gate);
    await next();
  };
}

/** The site of `writeKey` with the request's origin and rate admitted, as `c.var.site`. */
export async function admitSite(c: Context<AppEnv>, gate: SiteGate, writeKey: string | undefined): Promise<Site> {
  if (!writeKey) throw new ApiError(401, 'missing_write_key', gate.missingKey);
  const site = await findSite(c.env, writeKey);
  if (!site) throw new ApiError(401, 'unknown_write_key', gate.unknownKey(writeKey.slice(0, 64)));
  const origin = c.req.header('origin');
  if (origin && !originAllowed(origin, site.allowedOrigins)) throw new ApiError(403, 'origin_not_allowed', gate.originRefused(origin));
  if (gate.rateBucket) {
    const retryAfter = takeToken(gate.rateBucket(site.writeKey), site.settings.rateLimit);
    if (retryAfter > 0) {
      throw new ApiError(429, 'rate_limited', `Too many requests for this write key; retry after ${retryAfter} s.`, { 'Retry-After': String(retryAfter) });
    }
  }
  c.set('site', site);
  return site;
}

/** Before the site is known: an Origin no site allows is refused without reading the body. */
async function admitAnySiteOrigin(c: Context<AppEnv>, gate: SiteGate): Promise<void> {
  const origin = c.req.header('origin');
  if (origin && !originAllowed(origin, await allAllowedOrigins(c.env))) throw new ApiError(403, 'origin_not_allowed', gate.originRefused(origin));
}
