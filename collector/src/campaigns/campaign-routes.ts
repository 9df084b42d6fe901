/**
 * The campaigns admin API (Bearer ADMIN_TOKEN; contract section 8):
 *
 *   PUT    /v1/admin/campaigns/:id          create or change → { ok, created, campaign, overlapping, warnings? }
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
import { CampaignBodySchema, describeCampaignIssue, ruleIssues, type CampaignDefinition, type CampaignView } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { findAudiences } from '../audiences/audience-directory';
import { siteDestinations } from '../destinations/destination-directory';
import { adminAuth } from '../http/admin-auth';
import { existingEntry, knownSite, namedSite, readJsonBody, replicated, resourceId, siteFor, type ResourceKind } from '../http/admin-request';
import { ApiError } from '../http/errors';
import { findSite } from '../sites/site-directory';
import { deleteCampaign, findCampaigns, listCampaigns, saveCampaign, type CampaignEntry } from './campaign-directory';
import { campaignReport } from './campaign-report';
import { campaignState } from './campaign-store';
import { replicateCampaigns, siteCampaignTotals } from './site-campaigns';

const CAMPAIGN: ResourceKind = { noun: 'campaign', article: 'a' };
const BODY_SHAPE =
  '{ "name", "audienceId", "goal": { "event", "category"?, "productId"? }, "holdoutPercent"?, "windowDays"?, "startsAt"?, "endsAt"?, "costPerContact"?, "offer"?, "destinations"? }';
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
    const id = resourceId(c, CAMPAIGN);
    const parsed = v.safeParse(CampaignBodySchema, await readJsonBody(c.req.raw, BODY_SHAPE));
    // `issues` names every bad field with its JSON path, so a form can say each beside its field.
    if (!parsed.success) throw refused('invalid_campaign', `Invalid campaign: ${describeCampaignIssue(parsed.issues)}`, ruleIssues(parsed.issues));
    const { writeKey: bodyKey, ...body } = parsed.output;
    const site = await siteFor(c.env, namedSite(c.req.query('writeKey'), bodyKey), () => findCampaigns(c.env, id));
    if (!(await findAudiences(c.env, body.audienceId)).some((a) => a.site === site)) {
      throw refused(
        'unknown_audience',
        `audienceId: the site ${site.slice(0, 64)} has no audience "${body.audienceId}"; create it first with PUT /v1/admin/audiences/${body.audienceId}.`,
      );
    }
    const known = new Set((await siteDestinations(c.env, site)).map((d) => d.id));
    const unknown = body.destinations.filter((d) => !known.has(d));
    if (unknown.length) {
      throw refused(
        'unknown_destination',
        `destinations: the site ${site.slice(0, 64)} has no destination ${unknown.map((d) => `"${d}"`).join(', ')}; create it with PUT /v1/admin/destinations/:id first.`,
      );
    }
    const existing = (await findCampaigns(c.env, id)).find((e) => e.site === site);
    const now = Date.now();
    const started = existing !== undefined && campaignState(existing.definition, now) !== 'scheduled';
    // Amounts count in the site's currency as the campaign is saved, kept once it has started: a later change of
    // settings.currency must not mix two units in one report.
    const siteCurrency = (await findSite(c.env, site))?.settings.currency ?? 'USD';
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
      currency: (started ? existing.definition.currency : undefined) ?? siteCurrency,
    };
    if (definition.endsAt && Date.parse(definition.endsAt) <= Date.parse(definition.startsAt)) {
      throw refused('invalid_campaign', `endsAt: ${definition.endsAt} is not after the start ${definition.startsAt}; give an endsAt after startsAt.`);
    }
    if (started) {
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
    await replicated(CAMPAIGN, () => replicateCampaigns(c.env, site, [definition]));
    const overlapping = await overlappingCampaigns(c.env, entry, now);
    const warnings = campaignWarnings(definition);
    return c.json({
      ok: true,
      created: !existing,
      campaign: view(entry, now),
      overlapping,
      ...(warnings.length ? { warnings } : {}),
      ...(overlapping.length
        ? {
            note: `Other campaigns run on the audience ${definition.audienceId} (${overlapping.join(', ')}): each assigns its members independently, so some of this campaign's control group is treated by another. Each report still compares like with like.`,
          }
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
    await replicated(CAMPAIGN, () => replicateCampaigns(c.env, entry.site, [], [entry.definition.id]));
    return c.json({ ok: true, deleted: entry.definition.id, writeKey: entry.site });
  });

  app.get('/v1/admin/campaigns/:id/report', async (c) => {
    const entry = await existing(c);
    const now = Date.now();
    const [totals, site, overlapping] = await Promise.all([
      siteCampaignTotals(c.env, entry.site, entry.definition.id),
      findSite(c.env, entry.site),
      overlappingCampaigns(c.env, entry, now),
    ]);
    return c.json(campaignReport(entry.definition, totals, { now, currency: site?.settings.currency ?? 'USD', overlapping }));
  });

  return app;
}

/** A 400 whose `issues` list the bad fields: the given ones, or the one the message starts with (`field: what to do`). */
function refused(code: string, message: string, issues?: { path: string; message: string }[]): ApiError {
  const [path, ...rest] = message.split(': ');
  return new ApiError(400, code, message, {}, { issues: issues ?? [{ path: path!, message: rest.join(': ') }] });
}

/**
 * What is allowed but probably not meant, in the shape of a 400's `issues`
 * so a form can say it beside the field. A campaign with no control group
 * is a broadcast: experiment tools (Optimizely, GrowthBook) let it run only
 * with such a warning, not silently.
 */
function campaignWarnings(definition: CampaignDefinition): { path: string; message: string }[] {
  if (definition.holdoutPercent > 0) return [];
  return [
    {
      path: 'holdoutPercent',
      message:
        'holdoutPercent is 0: nobody is kept as control, so this campaign can never be measured (its report has no lift, interval or verdict). Give a holdoutPercent from 1 to 90 before it starts to measure it.',
    },
  ];
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

function existing(c: Context<AppEnv>): Promise<CampaignEntry> {
  return existingEntry(c, CAMPAIGN, (id) => findCampaigns(c.env, id));
}
