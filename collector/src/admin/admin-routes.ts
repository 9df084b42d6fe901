/**
 * The admin API (Bearer ADMIN_TOKEN): sites, export of the event log,
 * rejected messages and dead letters, and erasure of a person.
 */
import { Hono } from 'hono';
import { normalizeId } from '@trailmark/schema/message-schema';
import * as v from 'valibot';
import type { AppEnv } from '../app-env';
import type { IngestStatus } from '@trailmark/schema';
import { addDropCounts } from '../ingest/drop-reasons';
import { adminAuth } from '../http/admin-auth';
import { ApiError, badRequest, describeIssue } from '../http/errors';
import { DEFAULT_SETTINGS, withDefaults, type Site } from '../sites/site';
import { identitySecretOf, listSites, rotateIdentitySecret, saveSite } from '../sites/site-directory';
import { parseCatalogUpload } from '../catalog/catalog-upload';
import { readBodyText } from '../http/read-body';
import { callObject } from '../lib/object-call';
import { eraseFromArchive } from '../storage/archive-erasure';
import { eraseFromLog, exportEvents, listRejected } from '../storage/event-log';
import { ingestShards } from '../storage/ingest-shard-choice';
import { cursorParam, dateParam, idKindParam, limitParam } from './query-params';
import { MAX_MIN_SHOPPERS } from '../recommend/popularity-floor';
import { cancelForProfiles } from '../destinations/producer';
import { profileAudiences } from '../audiences/site-audiences';
import { profileCampaigns } from '../campaigns/site-campaigns';

/** A number of shards (0 keeps the single-object layout), with messages that name the setting. */
const shardCount = (name: string) =>
  v.optional(
    v.pipe(
      v.number(`${name} must be a whole number from 0 to 64`),
      v.integer(`${name} must be a whole number from 0 to 64`),
      v.minValue(0, `${name} must be from 0 to 64`),
      v.maxValue(64, `${name} must be from 0 to 64`),
    ),
  );

const MAX_CATALOG_BYTES = 20 * 1024 * 1024;

const siteBody = v.object({
  name: v.optional(v.string()),
  /** Make a new identity secret: userHashes made with the old one stop being valid. */
  rotateIdentitySecret: v.optional(v.boolean('rotateIdentitySecret must be true or false')),
  allowedOrigins: v.optional(v.array(v.pipe(v.string(), v.regex(/^(\*|null|https?:\/\/[^\s/]+)$/, 'an origin like https://shop.example')))),
  settings: v.optional(
    v.object({
      requireConsent: v.optional(v.boolean()),
      honorGpc: v.optional(v.boolean()),
      holdoutPercent: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))),
      globalHoldoutPercent: v.optional(
        v.pipe(
          v.number('globalHoldoutPercent must be a number from 0 to 50'),
          v.minValue(0, 'globalHoldoutPercent must be from 0 to 50'),
          v.maxValue(50, 'globalHoldoutPercent must be from 0 to 50: the share of shoppers kept from every campaign and from personalisation'),
        ),
      ),
      regionalMinShoppers: v.optional(
        v.pipe(
          v.number('regionalMinShoppers must be a whole number from 1 to 10'),
          v.integer('regionalMinShoppers must be a whole number from 1 to 10'),
          v.minValue(1, 'regionalMinShoppers must be from 1 to 10 (1: no floor)'),
          v.maxValue(MAX_MIN_SHOPPERS, 'regionalMinShoppers must be from 1 to 10: distinct shoppers are counted up to 10'),
        ),
      ),
      aggregateShards: shardCount('aggregateShards'),
      profileShards: shardCount('profileShards'),
      rateLimit: v.optional(v.object({ perSecond: v.pipe(v.number(), v.minValue(0.1)), burst: v.pipe(v.number(), v.minValue(1)) })),
      lifecycle: v.optional(
        v.object({
          activeDays: v.pipe(v.number(), v.minValue(1)),
          atRiskDays: v.pipe(v.number(), v.minValue(1)),
          lapsedDays: v.pipe(v.number(), v.minValue(1)),
        }),
      ),
      cookieDomain: v.optional(v.string()),
      currency: v.optional(
        v.pipe(
          v.string(),
          v.transform((code) => code.trim().toUpperCase()),
          v.check(isCurrencyCode, 'currency must be an ISO 4217 code like USD, EUR or JPY'),
        ),
      ),
      identityVerification: v.optional(v.picklist(['off', 'required'], 'identityVerification must be "off" or "required"')),
      learnCatalog: v.optional(v.picklist(['new', 'off', 'all'], 'learnCatalog must be "new", "off" or "all"')),
      assetHosts: v.optional(
        v.pipe(
          v.array(v.pipe(v.string(), v.regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i, 'a host like cdn.shop.example or *.shop-cdn.example'))),
          v.maxLength(50, 'at most 50 asset hosts'),
        ),
      ),
      siteUrl: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^https?:\/\/[^\s/?#]+\/?$/, "siteUrl must be the shop's origin, like https://shop.example"),
          v.transform((url) => url.replace(/\/$/, '')),
        ),
      ),
    }),
  ),
});

/** An ISO 4217 code the runtime knows (Intl lists them), or at least three capital letters where it lists none. */
function isCurrencyCode(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : [];
  return known.length === 0 || known.includes(code);
}

const drainCount = v.pipe(v.number(), v.integer(), v.minValue(0));
/** The IngestShard faults a soak or a test may inject (storage/ingest-shard.ts, `Faults`). */
const faultsBody = v.pipe(
  v.strictObject({
    /** The next N drains fail before anything is stored (storage down). */
    failDrains: v.optional(drainCount),
    /** The next N drains fail after ShopState applied them, before the event log and archive stored them. */
    failAfterProfiles: v.optional(drainCount),
  }),
  v.check((f) => f.failDrains !== undefined || f.failAfterProfiles !== undefined, 'name failDrains and/or failAfterProfiles'),
);

export function adminRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/*', adminAuth());

  // The list leaves identity secrets out: each is shown only with its own site.
  app.get('/v1/admin/sites', async (c) => c.json({ sites: (await listSites(c.env)).map(({ identitySecret: _secret, ...site }) => site) }));

  app.get('/v1/admin/sites/:writeKey', async (c) => {
    const [site] = await sitesOf(c.env, c.req.param('writeKey'));
    return c.json({ site: { ...site!, identitySecret: await identitySecretOf(c.env, site!) } });
  });

  app.put('/v1/admin/sites/:writeKey', async (c) => {
    const writeKey = c.req.param('writeKey');
    if (!/^[\w.-]{1,128}$/.test(writeKey)) throw badRequest('A write key is 1–128 letters, digits, "_", "-" or ".".');
    const parsed = v.safeParse(siteBody, await jsonBody(c.req.raw));
    if (!parsed.success) throw badRequest(`Invalid site: ${describeIssue(parsed.issues[0])}`);
    const existing = (await listSites(c.env)).find((s) => s.writeKey === writeKey);
    const shards = parsed.output.settings?.aggregateShards;
    const current = existing?.settings.aggregateShards ?? 0;
    if (shards !== undefined && current > 0 && shards !== current) {
      // Moving aggregates between shard counts is not built: only from the single-object layout (0) to shards.
      throw new ApiError(
        409,
        'aggregate_shards_fixed',
        `aggregateShards is ${current} for this site and cannot change once above 0; leave it out or send ${current}.`,
      );
    }
    const profileShards = parsed.output.settings?.profileShards;
    const currentProfileShards = existing?.settings.profileShards ?? 0;
    if (profileShards !== undefined && currentProfileShards > 0 && profileShards !== currentProfileShards) {
      // Moving profiles between shard counts is not built: only from the single-object layout (0) to shards.
      throw new ApiError(
        409,
        'profile_shards_fixed',
        `profileShards is ${currentProfileShards} for this site and cannot change once above 0; leave it out or send ${currentProfileShards}.`,
      );
    }
    const site: Site = {
      writeKey,
      name: parsed.output.name ?? existing?.name ?? writeKey,
      allowedOrigins: parsed.output.allowedOrigins ?? existing?.allowedOrigins ?? [],
      settings: withDefaults({ ...(existing?.settings ?? DEFAULT_SETTINGS), ...parsed.output.settings }),
      ...(existing?.identitySecret ? { identitySecret: existing.identitySecret } : {}),
    };
    await saveSite(c.env, site);
    const identitySecret = parsed.output.rotateIdentitySecret ? await rotateIdentitySecret(c.env, writeKey) : await identitySecretOf(c.env, site);
    return c.json({ ok: true, site: { ...site, identitySecret } });
  });

  app.put('/v1/admin/catalog', async (c) => {
    const { writeKey } = await oneSite(c.env, c.req.query('writeKey'));
    const upload = parseCatalogUpload(await readBodyText(c.req.raw, MAX_CATALOG_BYTES));
    const total = upload.products.length > 0 ? await c.env.SHOP_STATE.getByName(writeKey).loadCatalog(upload.products) : undefined;
    return c.json({ ok: true, writeKey, loaded: upload.products.length, rejected: upload.rejected, ...(total !== undefined ? { catalogSize: total } : {}) });
  });

  app.get('/v1/admin/profiles/:id', async (c) => {
    const id = c.req.param('id');
    if (id.length > 256) throw badRequest('An id is at most 256 characters.');
    for (const site of await sitesOf(c.env, c.req.query('writeKey'))) {
      // A read: safe to repeat after a transient failure (lib/object-call.ts).
      const profile = await callObject(
        () => c.env.SHOP_STATE.getByName(site.writeKey),
        (shop) => shop.profile(id, site.settings.lifecycle, site.settings.currency),
        { label: 'ShopState profile' },
      );
      // The audiences the person is in and their facts as conditions read them (traits included: admin only).
      if (profile) {
        const [audiences, campaigns] = await Promise.all([
          profileAudiences(c.env, site.writeKey, profile.profileId),
          profileCampaigns(c.env, site.writeKey, profile.profileId),
        ]);
        return c.json({ writeKey: site.writeKey, ...profile, ...audiences, campaigns });
      }
    }
    throw new ApiError(404, 'unknown_profile', `No profile is linked to "${id.slice(0, 64)}" (an anonymousId, userId or profileId).`);
  });

  app.get('/v1/admin/export', async (c) => {
    const page = await exportEvents(c.env.DB, {
      writeKey: await knownWriteKey(c.env, c.req.query('writeKey')),
      since: dateParam(c.req.query('since'), 'since'),
      cursor: cursorParam(c.req.query('cursor')),
      limit: limitParam(c.req.query('limit'), 1000),
    });
    const headers: Record<string, string> = { 'Content-Type': 'application/x-ndjson; charset=utf-8' };
    if (page.nextCursor) headers['Next-Cursor'] = page.nextCursor;
    // For tailing the log: always where this page ended, even when nothing more remains yet.
    headers['Cursor'] = page.cursor;
    return new Response(page.lines.length ? `${page.lines.join('\n')}\n` : '', { headers });
  });

  app.get('/v1/admin/rejected', async (c) => {
    const page = await listRejected(c.env.DB, {
      writeKey: await knownWriteKey(c.env, c.req.query('writeKey')),
      cursor: cursorParam(c.req.query('cursor')),
      limit: limitParam(c.req.query('limit'), 100),
    });
    if (page.nextCursor) c.header('Next-Cursor', page.nextCursor);
    return c.json(page);
  });

  /** What is accepted but not yet stored (the backlog the shards are draining), and what was dropped, by reason. */
  app.get('/v1/admin/ingest-status', async (c) => {
    const sites = await writeKeysOf(c.env, c.req.query('writeKey'));
    const counts = await Promise.all(
      sites.map(async (writeKey) => {
        const shards = ingestShards(c.env, writeKey);
        const [pending, dropped] = await Promise.all([
          Promise.all(shards.map((stub) => stub.pendingCount())),
          Promise.all(shards.map((stub) => stub.dropCounts())),
        ]);
        return { writeKey, pending: pending.reduce((a, b) => a + b, 0), dropped: dropped.reduce(addDropCounts, {}) };
      }),
    );
    return c.json({
      pending: counts.reduce((sum, site) => sum + site.pending, 0),
      dropped: counts.map((site) => site.dropped).reduce(addDropCounts, {}),
      sites: counts,
    } satisfies IngestStatus);
  });

  /**
   * Local development only (DEV_MODE): make the storage writes of a site's
   * shards fail, for the soak test's fault injection. Absent in production.
   */
  app.post('/v1/admin/faults', async (c) => {
    if (c.env.DEV_MODE !== 'true') throw new ApiError(404, 'not_found', 'Fault injection exists only in local development (DEV_MODE).');
    const parsed = v.safeParse(faultsBody, await jsonBody(c.req.raw));
    if (!parsed.success) throw badRequest(`Invalid faults: ${describeIssue(parsed.issues[0])}`);
    const { writeKey } = await oneSite(c.env, c.req.query('writeKey'));
    await Promise.all(ingestShards(c.env, writeKey).map((stub) => stub.injectFaults(parsed.output)));
    return c.json({ ok: true, writeKey, ...parsed.output });
  });

  app.get('/v1/admin/dead-letters', async (c) => {
    const sites = await writeKeysOf(c.env, c.req.query('writeKey'));
    const letters = await Promise.all(sites.flatMap((writeKey) => ingestShards(c.env, writeKey).map((stub) => stub.deadLetters())));
    return c.json({ deadLetters: letters.flat() });
  });

  app.post('/v1/admin/dead-letters/replay', async (c) => {
    const sites = await writeKeysOf(c.env, c.req.query('writeKey'));
    const moved = await Promise.all(sites.flatMap((writeKey) => ingestShards(c.env, writeKey).map((stub) => stub.replayDeadLetters())));
    return c.json({ ok: true, replayed: moved.reduce((a, b) => a + b, 0) });
  });

  /**
   * Erasure: the person's ids are suppressed everywhere first (ShopState,
   * D1), then what is stored goes: profile and links, events and rejected
   * messages, dead letters and buffered messages in every shard, pending
   * deliveries, and their lines in the R2 archive (with a tombstone for
   * warehouse copies; a walk too long for one request goes on at the cron).
   */
  app.delete('/v1/admin/users/:id', async (c) => {
    // Ids are stored normalised (trimmed, numbers as strings): the one to erase is read the same way.
    const id = normalizeId(c.req.param('id'));
    if (!id || id.length > 256) throw badRequest('Give the anonymousId or userId to erase (at most 256 characters).');
    const kind = idKindParam(c.req.query('kind'));
    const sites = await writeKeysOf(c.env, c.req.query('writeKey'));
    const erased = [];
    for (const writeKey of sites) {
      const person = await c.env.SHOP_STATE.getByName(writeKey).erase(writeKey, id, kind);
      const removed = await eraseFromLog(c.env.DB, writeKey, person);
      const buffered = await Promise.all(
        ingestShards(c.env, writeKey).map((stub) => stub.erase({ anonymousIds: person.anonymousIds, userIds: person.userIds })),
      );
      // Nothing more about them goes to any destination, and the delivery logs forget them.
      const { cancelled } = await cancelForProfiles(c.env, writeKey, person.profileIds);
      const archive = await eraseFromArchive(c.env, writeKey, person);
      erased.push({
        writeKey,
        profileIds: person.profileIds,
        ids: person.anonymousIds.length + person.userIds.length,
        ...removed,
        deadLetters: buffered.reduce((sum, b) => sum + b.deadLetters, 0),
        pending: buffered.reduce((sum, b) => sum + b.pending, 0),
        deliveriesCancelled: cancelled,
        ...(archive ? { archive } : {}),
      });
    }
    return c.json({ ok: true, erased });
  });

  return app;
}

async function sitesOf(env: Env, writeKey: string | undefined): Promise<Site[]> {
  const sites = await listSites(env);
  if (writeKey === undefined) return sites;
  const site = sites.find((s) => s.writeKey === writeKey);
  if (!site) throw new ApiError(404, 'unknown_site', `No site has the write key "${writeKey.slice(0, 64)}".`);
  return [site];
}

/** A `writeKey` filter, checked: a mistyped key is a 404 that says so, not an empty answer. */
async function knownWriteKey(env: Env, writeKey: string | undefined): Promise<string | undefined> {
  if (writeKey !== undefined) await sitesOf(env, writeKey);
  return writeKey;
}

async function writeKeysOf(env: Env, writeKey: string | undefined): Promise<string[]> {
  return (await sitesOf(env, writeKey)).map((s) => s.writeKey);
}

/** The site an operation is for: the one named, or the only one there is. */
export async function oneSite(env: Env, writeKey: string | undefined): Promise<Site> {
  const sites = await sitesOf(env, writeKey);
  if (sites.length !== 1) throw badRequest('Name the site: ?writeKey=…');
  return sites[0]!;
}

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw badRequest('The body must be JSON.');
  }
}
