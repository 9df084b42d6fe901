/**
 * GET /v1/recommendations: the slot's items for a shopper, served from the
 * shop's live state at the edge. Bad input gets a clear 4xx, never a 5xx.
 */
import { Hono } from 'hono';
import { SLOTS, type Slot } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { geoFromRequest } from '../enrich/geo';
import { ApiError, badRequest } from '../http/errors';
import { takeToken } from '../ingest/rate-limit';
import { writeKeyFromHeaders } from '../ingest/write-key';
import { originAllowed } from '../sites/origins';
import { findSite } from '../sites/site-directory';
import { userHashValid } from '../identity/user-hash';
import { shopState } from '../storage/stubs';

export const DEFAULT_LIMIT = 8;
export const MAX_LIMIT = 50;

/** An id as the tag sends it: printable, at most 256 characters. */
function idParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > 256 || /[\u0000-\u001f\u007f]/.test(value) || !value.isWellFormed()) {
    throw badRequest(`${name} must be at most 256 printable characters.`, 'invalid_id');
  }
  return value;
}

export function recommendRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/v1/recommendations', async (c) => {
    const query = c.req.query();
    const writeKey = query.writeKey || writeKeyFromHeaders(c.req.raw);
    if (!writeKey) throw new ApiError(401, 'missing_write_key', 'Give the site’s write key: ?writeKey=…');
    const slot = query.slot as Slot | undefined;
    if (!slot) throw badRequest(`slot is missing: use one of ${SLOTS.join(', ')}.`, 'invalid_slot');
    if (!SLOTS.includes(slot)) throw badRequest(`Unknown slot "${slot.slice(0, 40)}": use one of ${SLOTS.join(', ')}.`, 'invalid_slot');
    const anonymousId = idParam('anonymousId', query.anonymousId);
    const userId = idParam('userId', query.userId);
    const userHash = query.userHash || undefined;
    if (userHash !== undefined && !/^[0-9a-f]{64}$/i.test(userHash)) {
      throw badRequest('userHash must be the 64 hex characters of HMAC-SHA256(identitySecret, userId), computed by the shop’s server.', 'invalid_user_hash');
    }
    // Without ids (the tag holds them back until consent), the picks are the region's and everyone's, unpersonalised.
    const productId = idParam('productId', query.productId);
    if (slot === 'product' && !productId) throw badRequest('The product slot needs the productId of the product on screen.', 'missing_product');
    const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit must be an integer from 1 to ${MAX_LIMIT}.`, 'invalid_limit');

    const site = await findSite(c.env, writeKey);
    if (!site) throw new ApiError(401, 'unknown_write_key', `Unknown write key "${writeKey.slice(0, 64)}": check the key in your snippet.`);
    const origin = c.req.header('origin');
    if (origin && !originAllowed(origin, site.allowedOrigins)) {
      throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} may not use this site; add it to the site's allowed origins.`);
    }
    const retryAfter = takeToken(`recommend:${writeKey}`, site.settings.rateLimit);
    if (retryAfter > 0) {
      throw new ApiError(429, 'rate_limited', `Too many requests for this write key; retry after ${retryAfter} s.`, { 'Retry-After': String(retryAfter) });
    }

    const geo = geoFromRequest(c.req.raw, c.env.DEV_MODE === 'true');
    const response = await shopState(c.env, writeKey).recommend({
      writeKey,
      slot,
      anonymousId,
      userId,
      // Personal to a customer only with proof: a bare userId is not a password.
      userVerified: userId !== undefined && (await userHashValid(site.identitySecret, userId, userHash)),
      productId,
      limit,
      geo: { country: geo.country, region: geo.region },
      holdoutPercent: site.settings.holdoutPercent,
      nowMs: Date.now(),
    });
    c.header('Cache-Control', 'private, no-store');
    return c.json(response);
  });

  return app;
}
