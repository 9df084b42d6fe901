/**
 * GET /v1/recommendations: the slot's items for a shopper, served from the
 * shop's live state at the edge, as if the shopper's acknowledged events
 * were already stored (read-your-writes; serve.ts). The merchandiser's
 * rules come from this isolate's copy (read at most once a second);
 * `explain=1` with the admin token adds why the items are what they are.
 * Bad input gets a clear 4xx, never a 5xx.
 */
import { Hono, type Context } from 'hono';
import { validator } from 'hono/validator';
import { SLOTS, type OfferResponse, type Slot } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { geoFromRequest } from '../enrich/geo';
import { adminAuth } from '../http/admin-auth';
import { ApiError, badRequest } from '../http/errors';
import { siteGate, type SiteGate } from '../http/site-gate';
import { writeKeyFromHeaders } from '../ingest/write-key';
import { userHashValid } from '../identity/user-hash';
import { callObject } from '../lib/object-call';
import { siteRules } from '../merchandising/rule-store';
import { serveRecommendationJson } from './serve';
import { parseAck } from './ack-token';

export const DEFAULT_LIMIT = 8;
/** The campaign offer slot (contract section 8): not a list of products, the one slot that may be empty. */
export const OFFER_SLOT = 'offer';
const SLOT_NAMES = [...SLOTS, OFFER_SLOT].join(', ');
export const MAX_LIMIT = 50;
/** Products one `exclude=` may name: a page's other slots. */
export const MAX_EXCLUDE = 100;

/** An id as the tag sends it: printable, at most 256 characters. */
function idParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > 256 || /[\u0000-\u001f\u007f]/.test(value) || !value.isWellFormed()) {
    throw badRequest(`${name} must be at most 256 printable characters.`, 'invalid_id');
  }
  return value;
}

/** `exclude=id1,id2,…`: the products the page already shows, each an id as above. */
function excludeParam(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  const ids = value.split(',');
  if (ids.length > MAX_EXCLUDE) throw badRequest(`exclude names ${ids.length} products; give at most ${MAX_EXCLUDE}, comma-separated.`, 'invalid_exclude');
  for (const id of ids) {
    if (id === '') throw badRequest('exclude has an empty product id: give ids separated by single commas, e.g. exclude=sku-1,sku-2.', 'invalid_exclude');
    if (id.length > 256 || /[\u0000-\u001f\u007f]/.test(id) || !id.isWellFormed()) {
      throw badRequest('Each product id in exclude must be at most 256 printable characters.', 'invalid_exclude');
    }
  }
  return [...new Set(ids)];
}

const writeKeyOf = (c: Context<AppEnv>) => c.req.query('writeKey') || writeKeyFromHeaders(c.req.raw);

const RECOMMEND_GATE: SiteGate = {
  writeKey: writeKeyOf,
  missingKey: 'Give the site’s write key: ?writeKey=…',
  unknownKey: (key) => `Unknown write key "${key}": check the key in your snippet.`,
  originRefused: (origin) => `Origin ${origin} may not use this site; add it to the site's allowed origins.`,
  // Apart from ingest's bucket: a page's recommendations do not use up its events' allowance.
  rateBucket: (writeKey) => `recommend:${writeKey}`,
};

/**
 * The request's parameters, checked before the site gate: a malformed
 * request is told what is wrong with it whatever its key. (Hono's query
 * validator value lists a repeated parameter; the first one counts, so the
 * query is read as `c.req.query()` reads it.)
 */
const recommendationQuery = validator('query', async (_value, c: Context<AppEnv>) => {
  const query = c.req.query();
  if (!writeKeyOf(c)) throw new ApiError(401, 'missing_write_key', RECOMMEND_GATE.missingKey);
  const slot = query.slot as Slot | typeof OFFER_SLOT | undefined;
  if (!slot) throw badRequest(`slot is missing: use one of ${SLOT_NAMES}.`, 'invalid_slot');
  if (slot !== OFFER_SLOT && !SLOTS.includes(slot)) throw badRequest(`Unknown slot "${slot.slice(0, 40)}": use one of ${SLOT_NAMES}.`, 'invalid_slot');
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
  const exclude = excludeParam(query.exclude);
  // A token that is not one is passed over, as a stale one is: it is what the browser kept in its storage (damaged,
  // or written by another version of the tag), which the shopper cannot fix, and the answer is the same without it.
  const ack = query.ack ? parseAck(query.ack) : undefined;
  // Why the answer is what it is names the site's rules: for the merchandiser (the admin token), not for shoppers.
  const explain = query.explain !== undefined && query.explain !== '0' && query.explain !== 'false';
  if (explain) await adminAuth<AppEnv>()(c, async () => {});
  return { slot, anonymousId, userId, userHash, productId, limit, exclude, explain, ack };
});

export function recommendRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/v1/recommendations', recommendationQuery, siteGate(RECOMMEND_GATE), async (c) => {
    const { slot, anonymousId, userId, userHash, productId, limit, exclude, explain, ack } = c.req.valid('query');
    const { site } = c.var;
    const { writeKey } = site;
    const geo = geoFromRequest(c.req.raw, c.env.DEV_MODE === 'true');
    // Personal to a customer only with proof: a bare userId is not a password (nor finds their pending events).
    const userVerified = userId !== undefined && (await userHashValid(site.identitySecret, userId, userHash));
    c.header('Cache-Control', 'private, no-store');
    if (slot === OFFER_SLOT) {
      // A campaign's offer, for a treatment member of a running campaign only: everyone else gets null, at the cost of one indexed read.
      // Safe to repeat: the offer is read, and the first time it was served is marked once (campaign-store.ts offerFor).
      const offer =
        anonymousId || userVerified
          ? await callObject(
              () => c.env.SHOP_STATE.getByName(writeKey),
              (shop) => shop.campaignOffer({ anonymousId, userId, userVerified }),
              { label: 'ShopState campaignOffer' },
            )
          : null;
      return c.json({ slot: OFFER_SLOT, items: [], offer } satisfies OfferResponse);
    }
    const nowMs = Date.now();
    const json = await serveRecommendationJson(c.env, site, {
      slot,
      anonymousId,
      userId,
      userVerified,
      productId,
      limit,
      exclude,
      geo: { country: geo.country, region: geo.region },
      nowMs,
      rules: siteRules(c.env.DB, writeKey, nowMs, (read) => c.executionCtx.waitUntil(read)),
      explain,
      ...(ack ? { ack } : {}),
    });
    return c.body(json, 200, { 'Content-Type': 'application/json' });
  });

  return app;
}
