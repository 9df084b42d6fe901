/**
 * The dashboard's statistics (Bearer ADMIN_TOKEN): a summary, one endpoint per panel,
 * each reading the statistics tables kept by the event log's triggers
 * (migrations 0005 and 0016), and the live event stream.
 *
 *   GET /v1/admin/stats                       the summary: events by type, the funnel, regions, slots, lifecycle now (no filters)
 *   GET /v1/admin/stats/overview              visitors, sessions, shoppers, orders, revenue; over time; vs the period before
 *   GET /v1/admin/stats/breakdown?by=…        the same by source, campaign, country, region, device, landing page, new/returning, variant
 *   GET /v1/admin/stats/funnel?step=…&window=… people through ordered steps within a window; ?breakdown=…
 *   GET /v1/admin/stats/funnel/people         who reached (or dropped after) a step; format=csv
 *   GET /v1/admin/stats/search                search terms, click-through, searches without results
 *   GET /v1/admin/stats/retention?weeks=N     weekly cohorts and repeat purchase
 *   GET /v1/admin/stats/lifecycle             stages over time and now
 *   GET /v1/admin/stats/lifecycle/people      who is in a stage now; format=csv
 *   GET /v1/admin/stats/slots                 recommendation slots against the holdout
 *   GET /v1/admin/live?after=…&limit=N        the newest events
 *
 * Common query: writeKey, from, to (ISO; the last 7 days by default) and the
 * filters country, region, device, source, medium, campaign, landing,
 * visitor (new | returning), variant (treatment | control | none).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { PeopleList } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { adminAuth } from '../http/admin-auth';
import { badRequest } from '../http/errors';
import type { Site } from '../sites/site';
import { breakdownStats } from '../stats/breakdown';
import { statsContext, type StatsContext } from '../stats/context';
import { funnelStats, type FunnelSpec } from '../stats/funnel';
import { lifecycleStats, ensureThresholds } from '../stats/lifecycle';
import { liveEvents } from '../stats/live';
import { siteCurrency } from '../stats/money';
import { overviewStats } from '../stats/overview';
import { funnelStepPeople, lifecyclePeople, MAX_EXPORT, peopleCsv, type Page } from '../stats/people';
import { QueryError, readDimension, readFilters, readInteger, readRange, readStage, readStepNumber, readSteps, readWindow } from '../stats/query';
import { retentionStats } from '../stats/retention';
import { searchStats } from '../stats/search';
import { slotsStats } from '../stats/slots';
import { readStats } from '../storage/stats';
import { oneSite } from './admin-routes';
import { limitParam } from './query-params';

type StatsRequest = Context<AppEnv>;

export function statsRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/stats', adminAuth());
  app.use('/v1/admin/stats/*', adminAuth());
  app.use('/v1/admin/live', adminAuth());
  // How long D1 spent on the request's statements, for the benchmark and for browsers' developer tools.
  app.use('/v1/admin/stats/*', serverTiming());
  app.use('/v1/admin/stats', serverTiming());

  app.get('/v1/admin/stats', async (c) => {
    const { ctx, site } = await request(c);
    // Its event counts, regions and slots are kept per site, not per visit: a filter would be ignored, so it is refused.
    const filtered = Object.keys(ctx.filters);
    if (filtered.length) {
      throw badRequest(
        `GET /v1/admin/stats summarises the whole site and takes no filters (got ${filtered.join(', ')}): filter /v1/admin/stats/overview, /breakdown or /funnel instead.`,
      );
    }
    const shop = c.env.SHOP_STATE.getByName(site.writeKey);
    const [stats, lifecycle] = await Promise.all([readStats(ctx, site.settings.holdoutPercent), lifecycleStats(ctx, site.settings.lifecycle, Date.now())]);
    // Names for the products the tables mention.
    const ids = [...new Set(stats.regions.flatMap((r) => r.topProducts.map((p) => p.productId)))];
    const names = new Map((ids.length ? await shop.products(ids) : []).map((p) => [p.productId, p.name]));
    for (const region of stats.regions) for (const p of region.topProducts) p.name = names.get(p.productId) ?? null;
    return c.json({
      writeKey: site.writeKey,
      ...stats,
      lifecycle: { counts: lifecycle.now, thresholds: site.settings.lifecycle },
      holdoutPercent: site.settings.holdoutPercent,
    });
  });

  app.get('/v1/admin/stats/overview', async (c) => c.json(await overviewStats((await request(c)).ctx)));

  app.get('/v1/admin/stats/breakdown', async (c) => {
    const { ctx } = await request(c);
    return c.json(
      await breakdownStats(
        ctx,
        checked(() => readDimension(c.req.query('by'), 'by')),
      ),
    );
  });

  app.get('/v1/admin/stats/funnel', async (c) => {
    const { ctx } = await request(c);
    const by = c.req.query('breakdown');
    return c.json(await funnelStats(ctx, funnelSpec(c), by ? checked(() => readDimension(by, 'breakdown')) : undefined));
  });

  app.get('/v1/admin/stats/funnel/people', async (c) => {
    const { ctx } = await request(c);
    const spec = funnelSpec(c);
    const step = checked(() => readStepNumber(c.req.query('stepNumber'), spec.steps.length));
    const outcome = c.req.query('outcome') ?? 'reached';
    if (outcome !== 'reached' && outcome !== 'dropped') throw badRequest('outcome must be reached or dropped.');
    return people(c, 'funnel-step', (page) => funnelStepPeople(ctx, spec, step, outcome, page));
  });

  app.get('/v1/admin/stats/search', async (c) => c.json(await searchStats((await request(c)).ctx)));

  app.get('/v1/admin/stats/retention', async (c) => {
    const { ctx } = await request(c);
    return c.json(
      await retentionStats(
        ctx,
        checked(() => readInteger(c.req.query('weeks'), 'weeks', 2, 26, 8)),
      ),
    );
  });

  app.get('/v1/admin/stats/lifecycle', async (c) => {
    const { ctx, site } = await request(c);
    return c.json(await lifecycleStats(ctx, site.settings.lifecycle, Date.now()));
  });

  app.get('/v1/admin/stats/lifecycle/people', async (c) => {
    const { ctx, site } = await request(c);
    const stage = checked(() => readStage(c.req.query('stage')));
    await ensureThresholds(ctx.db, ctx.writeKey, site.settings.lifecycle);
    return people(c, `lifecycle-${stage}`, (page) => lifecyclePeople(ctx, stage, site.settings.lifecycle, Date.now(), page));
  });

  app.get('/v1/admin/stats/slots', async (c) => {
    const { ctx, site } = await request(c);
    return c.json(await slotsStats(ctx, site.settings.holdoutPercent));
  });

  app.get('/v1/admin/live', async (c) => {
    const site = await oneSite(c.env, c.req.query('writeKey'));
    const after = c.req.query('after');
    if (after !== undefined && !/^\d{1,15}$/.test(after))
      throw badRequest('after must be the cursor of a previous /v1/admin/live answer; leave it out for the newest events.');
    return c.json(await liveEvents(c.env.DB, site.writeKey, after === undefined ? undefined : Number(after), limitParam(c.req.query('limit'), 40)));
  });

  return app;
}

/** The site and what every statistics query reads from the query string. */
async function request(c: StatsRequest): Promise<{ ctx: StatsContext; site: Site }> {
  const site = await oneSite(c.env, c.req.query('writeKey'));
  const query = (name: string) => c.req.query(name);
  const { range, filters } = checked(() => ({ range: readRange(query, Date.now()), filters: readFilters(query) }));
  const ctx = statsContext(c.env.DB, site.writeKey, siteCurrency(site.settings), range, filters);
  c.set('stats', ctx);
  return { site, ctx };
}

function serverTiming(): MiddlewareHandler<AppEnv> {
  return async function serverTiming(c, next) {
    await next();
    const ctx = c.get('stats');
    if (ctx) c.res.headers.set('Server-Timing', `db;dur=${ctx.spent.dbMs.toFixed(1)};desc="D1 statements"`);
  };
}

function funnelSpec(c: StatsRequest): FunnelSpec {
  return checked(() => ({ steps: readSteps(c.req.queries('step')), windowMs: readWindow(c.req.query('window')) }));
}

/** A page of people as JSON, or all of them (up to MAX_EXPORT) as a CSV file with `format=csv`. */
async function people(c: StatsRequest, name: string, list: (page: Page) => Promise<PeopleList>): Promise<Response> {
  const format = c.req.query('format') ?? 'json';
  if (format === 'csv') {
    const all = await list({ limit: MAX_EXPORT });
    return new Response(peopleCsv(all.people), {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}.csv"`,
        'X-Total-Count': String(all.total),
      },
    });
  }
  if (format !== 'json') throw badRequest('format must be json or csv.');
  const cursor = c.req.query('cursor');
  if (cursor !== undefined && cursor.length > 256) throw badRequest('cursor must be the nextCursor of a previous page.');
  const page = await list({ limit: limitParam(c.req.query('limit'), 100), ...(cursor ? { cursor } : {}) });
  return c.json(page);
}

/** Runs a query-string reader; its complaint becomes a 400 that says what to send. */
function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof QueryError) throw badRequest(error.message);
    throw error;
  }
}
