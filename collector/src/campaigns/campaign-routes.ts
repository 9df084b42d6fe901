/**
 * The campaigns admin API (Bearer ADMIN_TOKEN; contract section 8):
 *
 *   PUT    /v1/admin/campaigns/:id          create or change → { ok, created, campaign, overlapping }
 *   GET    /v1/admin/campaigns[?writeKey=]  every campaign with its status
 *   GET    /v1/admin/campaigns/:id          one
 *   DELETE /v1/admin/campaigns/:id          removes it with its assignments
 *   GET    /v1/admin/campaigns/:id/report   the measured result
 *
 * A campaign id is unique within its site. The site is `?writeKey=`, the
 * body's `writeKey`, the site that has a campaign with that id, or the only
 * site. What decides who is in which group and what counts (audience,
 * holdout, goal, window, start) cannot change once the campaign has
 * started: that would mix two experiments in one report.
 */
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { CampaignBodySchema, describeCampaignIssue, RESOURCE_ID, ruleIssues, type CampaignDefinition, type CampaignView } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { findAudiences } from '../audiences/audience-directory';
import { siteDestinations } from '../destinations/destination-directory';
import { adminAuth } from '../http/admin-auth';
import { ApiError, badRequest } from '../http/errors';
import { readBodyText } from '../http/read-body';
import { findSite, listSites } from '../sites/site-directory';
import { deleteCampaign, findCampaigns, listCampaigns, saveCampaign, type CampaignEntry } from './campaign-directory';
import { campaignReport } from './campaign-report';
import { campaignState } from './campaign-store';
import { replicateCampaigns, siteCampaignTotals } from './site-campaigns';

const MAX_BODY_BYTES = 64 * 1024;
const BODY_SHAPE = '{ "name", "audienceId", "goal": { "event", "category"?, "productId"? }, "holdoutPercent"?, "windowDays"?, "startsAt"?, "endsAt"?, "costPerContact"?, "offer"?, "destinations"? }';
/** Fields that decide groups and outcomes: fixed once the campaign has started. */
const FIXED_AFTER_START = ['audienceId', 'holdoutPercent', 'goal', 'windowDays', 'startsAt'] as const;

export function campaignRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/campaigns', adminAuth());
  app.use('/v1/admin/campaigns/*', adminAuth());

  app.get('/v1/admin/campaigns', async (c) => {
    const writeKey = c.req.query('writeKey');
    if (writeKey !== undefined) await knownSite(c.env, writeKey);
    const now = Date.now();
    return c.json({ campaigns: (await listCampaigns(c.env, writeKey)).map((entry) => view(entry, now)) });
  });

  app.put('/v1/admin/campaigns/:id', async (c) => {
    const id = campaignId(c);
    const parsed = v.safeParse(CampaignBodySchema, await jsonBody(c.req.raw));
    // `issues` names every bad field with its JSON path, so a form can say each beside its field.
    if (!parsed.success) throw refused('invalid_campaign', `Invalid campaign: ${describeCampaignIssue(parsed.issues)}`, ruleIssues(parsed.issues));
    const { writeKey: bodyKey, ...body } = parsed.output;
    const queryKey = c.req.query('writeKey');
    if (queryKey !== undefined && bodyKey !== undefined && queryKey !== bodyKey) {
      throw badRequest(`writeKey: the body names the site "${bodyKey.slice(0, 64)}" and the query "${queryKey.slice(0, 64)}"; name one.`);
    }
    const site = await siteFor(c.env, id, queryKey ?? bodyKey);
    if (!(await findAudiences(c.env, body.audienceId)).some((a) => a.site === site)) {
      throw refused('unknown_audience', `audienceId: the site ${site.slice(0, 64)} has no audience "${body.audienceId}"; create it first with PUT /v1/admin/audiences/${body.audienceId}.`);
    }
    const known = new Set((await siteDestinations(c.env, site)).map((d) => d.id));
    const unknown = body.destinations.filter((d) => !known.has(d));
    if (unknown.length) {
      throw refused('unknown_destination', `destinations: the site ${site.slice(0, 64)} has no destination ${unknown.map((d) => `"${d}"`).join(', ')}; create it with PUT /v1/admin/destinations/:id first.`);
    }
    const existing = (await findCampaigns(c.env, id)).find((e) => e.site === site);
    const now = Date.now();
    const definition: CampaignDefinition = {
      id,
      name: body.name,
      audienceId: body.audienceId,
      holdoutPercent: body.holdoutPercent,
      goal: body.goal,
      windowDays: body.windowDays,
      startsAt: body.startsAt ?? existing?.definition.startsAt ?? new Date(now).toISOString(),
      ...(body.endsAt ? { endsAt: body.endsAt } : {}),
      ...(body.costPerContact !== undefined ? { costPerContact: body.costPerContact } : {}),
      ...(body.offer ? { offer: body.offer } : {}),
      destinations: [...new Set(body.destinations)],
    };
    if (definition.endsAt && Date.parse(definition.endsAt) <= Date.parse(definition.startsAt)) {
      throw refused('invalid_campaign', `endsAt: ${definition.endsAt} is not after the start ${definition.startsAt}; give an endsAt after startsAt.`);
    }
    if (existing && campaignState(existing.definition, now) !== 'scheduled') {
      const changed = FIXED_AFTER_START.filter((field) => JSON.stringify(existing.definition[field]) !== JSON.stringify(definition[field]));
      if (changed.length) {
        throw new ApiError(
          409,
          'campaign_started',
          `${changed.join(', ')}: the campaign started at ${existing.definition.startsAt}, and changing who is assigned or what counts would mix two experiments in one report; keep ${changed.length > 1 ? 'them' : 'it'} as ${changed.map((f) => JSON.stringify(existing.definition[f])).join(', ')}, or create a new campaign.`,
        );
      }
    }
    const entry: CampaignEntry = { site, definition, createdAt: existing?.createdAt ?? new Date(now).toISOString(), updatedAt: new Date(now).toISOString() };
    await saveCampaign(c.env, entry);
    await replicated(() => replicateCampaigns(c.env, site, [definition]));
    const overlapping = await overlappingCampaigns(c.env, entry, now);
    return c.json({
      ok: true,
      created: !existing,
      campaign: view(entry, now),
      overlapping,
      ...(overlapping.length
        ? { note: `Other campaigns run on the audience ${definition.audienceId} (${overlapping.join(', ')}): each assigns its members independently, so some of this campaign's control group is treated by another. Each report still compares like with like.` }
        : {}),
    });
  });

  app.get('/v1/admin/campaigns/:id', async (c) => {
    const entry = await existing(c);
    return c.json({ campaign: view(entry, Date.now()) });
  });

  app.delete('/v1/admin/campaigns/:id', async (c) => {
    const entry = await existing(c);
    await deleteCampaign(c.env, entry.site, entry.definition.id);
    await replicated(() => replicateCampaigns(c.env, entry.site, [], [entry.definition.id]));
    return c.json({ ok: true, deleted: entry.definition.id, writeKey: entry.site });
  });

  app.get('/v1/admin/campaigns/:id/report', async (c) => {
    const entry = await existing(c);
    const now = Date.now();
    const [totals, site, overlapping] = await Promise.all([siteCampaignTotals(c.env, entry.site, entry.definition.id), findSite(c.env, entry.site), overlappingCampaigns(c.env, entry, now)]);
    return c.json(campaignReport(entry.definition, totals, { now, currency: site?.settings.currency ?? 'USD', overlapping }));
  });

  return app;
}

/** A 400 whose `issues` list the bad fields: the given ones, or the one the message starts with (`field: what to do`). */
function refused(code: string, message: string, issues?: { path: string; message: string }[]): ApiError {
  const [path, ...rest] = message.split(': ');
  return new ApiError(400, code, message, {}, { issues: issues ?? [{ path: path!, message: rest.join(': ') }] });
}

function view(entry: CampaignEntry, now: number): CampaignView {
  return { ...entry.definition, writeKey: entry.site, status: campaignState(entry.definition, now), createdAt: entry.createdAt, updatedAt: entry.updatedAt };
}

/** Other campaigns of the site on the same audience whose running time overlaps this one's. */
async function overlappingCampaigns(env: Env, entry: CampaignEntry, now: number): Promise<string[]> {
  const { definition } = entry;
  const end = (d: CampaignDefinition) => (d.endsAt ? Date.parse(d.endsAt) : Infinity);
  return (await listCampaigns(env, entry.site))
    .map((e) => e.definition)
    .filter((d) => d.id !== definition.id && d.audienceId === definition.audienceId && campaignState(d, now) !== 'ended')
    .filter((d) => Date.parse(d.startsAt) < end(definition) && Date.parse(definition.startsAt) < end(d))
    .map((d) => d.id);
}

/** Replication reached not every host: the campaign is saved, and a repeated request finishes it. */
async function replicated(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    console.warn(`campaign replication failed: ${err instanceof Error ? err.message : String(err)}`);
    throw new ApiError(503, 'replication_pending', 'The campaign is saved but not every profile host has taken it yet; repeat the request in a few seconds (it is safe to).', { 'Retry-After': '5' });
  }
}

function campaignId(c: Context<AppEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!RESOURCE_ID.test(id)) throw badRequest('A campaign id is 1–128 letters, digits, "_", "-", "." or ":".');
  return id;
}

async function existing(c: Context<AppEnv>): Promise<CampaignEntry> {
  const id = campaignId(c);
  const writeKey = c.req.query('writeKey');
  if (writeKey !== undefined) await knownSite(c.env, writeKey);
  const found = (await findCampaigns(c.env, id)).filter((e) => writeKey === undefined || e.site === writeKey);
  if (found.length === 0) throw new ApiError(404, 'unknown_campaign', `No campaign has the id "${id.slice(0, 64)}"${writeKey ? ` in the site ${writeKey.slice(0, 64)}` : ''}; create it with PUT.`);
  if (found.length > 1) throw badRequest(`Several sites have a campaign "${id.slice(0, 64)}": name the site with ?writeKey=…`);
  return found[0]!;
}

async function knownSite(env: Env, writeKey: string): Promise<string> {
  if (!(await listSites(env)).some((s) => s.writeKey === writeKey)) throw new ApiError(404, 'unknown_site', `No site has the write key "${writeKey.slice(0, 64)}".`);
  return writeKey;
}

/** The site of a PUT: the one named, else the one site that already has this campaign, else the only site. */
async function siteFor(env: Env, id: string, writeKey: string | undefined): Promise<string> {
  if (writeKey !== undefined) return knownSite(env, writeKey);
  const holders = await findCampaigns(env, id);
  if (holders.length === 1) return holders[0]!.site;
  const sites = await listSites(env);
  if (sites.length !== 1) throw badRequest('Name the site: ?writeKey=… (or "writeKey" in the body).');
  return sites[0]!.writeKey;
}

async function jsonBody(request: Request): Promise<unknown> {
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (!text.trim()) throw badRequest(`The body must be JSON: ${BODY_SHAPE}.`);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`The body is not valid JSON; send ${BODY_SHAPE}.`);
  }
}
