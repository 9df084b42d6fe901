/**
 * The audiences admin API (Bearer ADMIN_TOKEN; contract section 7):
 *
 *   PUT    /v1/admin/audiences/:id             { name, definition, writeKey? } → { ok, created, audience }
 *                                               or a static list: { name, profileIds, description?, writeKey? } → { …, list }
 *   POST   /v1/admin/audiences/:id/members     a static list's changes: { add?, remove?, writeKey? } → { ok, audience, list }
 *   GET    /v1/admin/audiences[?writeKey=]     every audience with its size and status
 *   GET    /v1/admin/audiences/:id             one, with its size by day
 *   DELETE /v1/admin/audiences/:id             removes it (its memberships go in the background)
 *   GET    /v1/admin/audiences/:id/members     ?cursor=&limit=&format=ndjson|csv, Next-Cursor while more remain
 *   POST   /v1/admin/audiences/preview         { definition, writeKey? } → { size, sample, … } without saving
 *
 * An audience id is unique within its site. The site is `?writeKey=`, the
 * body's `writeKey`, the site that has an audience with that id, or the only
 * site; anything ambiguous is a 400 that says to name it.
 */
import { Hono, type Context } from 'hono';
import type { AudienceView } from '@trailmark/schema';
import { describeDefinitionIssues, parseAudienceBody, parsePreviewBody } from '@trailmark/schema/audience-schema';
import { isStaticAudienceBody, parseMembersChangeBody, parseStaticAudienceBody } from '@trailmark/schema/static-audience-schema';
import type { AppEnv } from '../app-env';
import { adminAuth } from '../http/admin-auth';
import { existingEntry, knownSite, namedSite, readJsonBody, replicated, resourceId, siteFor, siteOf, type ResourceKind } from '../http/admin-request';
import { ApiError, badRequest } from '../http/errors';
import { deleteAudience, findAudiences, listAudiences, saveAudience, type AudienceEntry, type StaticAudienceEntry } from './audience-directory';
import { factsRead } from './condition';
import { membersCsv, membersNdjson } from './members-format';
import { InvalidCursor, refreshRfm, replicate, replicateList, siteMembers, sitePreview, siteReport } from './site-audiences';

const AUDIENCE: ResourceKind = { noun: 'audience', article: 'an' };
const MAX_BODY_BYTES = 64 * 1024;
/** A static list of 10,000 profile ids, with room to spare. */
const MAX_LIST_BODY_BYTES = 1024 * 1024;
const MAX_MEMBERS_PAGE = 1000;
const RESERVED_IDS = new Set(['preview']);

export function audienceRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/audiences', adminAuth());
  app.use('/v1/admin/audiences/*', adminAuth());

  app.get('/v1/admin/audiences', async (c) => {
    const writeKey = c.req.query('writeKey');
    if (writeKey !== undefined) await knownSite(c.env, writeKey);
    return c.json({ audiences: await siteReport(c.env, await listAudiences(c.env, writeKey)) });
  });

  app.post('/v1/admin/audiences/preview', async (c) => {
    const parsed = parsePreviewBody(await readJsonBody(c.req.raw, '{ "definition", "writeKey"? }'));
    if (!parsed.ok) throw invalid(parsed.issues);
    const site = await siteOf(c.env, c.req.query('writeKey') ?? parsed.body.writeKey);
    return c.json({ writeKey: site, ...(await sitePreview(c.env, site, parsed.body.definition)) });
  });

  app.put('/v1/admin/audiences/:id', async (c) => {
    const id = resourceId(c, AUDIENCE);
    if (RESERVED_IDS.has(id)) throw badRequest(`"${id}" is a reserved word of this API; choose another audience id.`);
    const body = await readJsonBody(
      c.req.raw,
      '{ "name", "definition", "writeKey"? } or { "name", "profileIds", "description"?, "writeKey"? }',
      MAX_LIST_BODY_BYTES,
    );
    if (isStaticAudienceBody(body)) return putStatic(c, id, body);
    if (JSON.stringify(body).length > MAX_BODY_BYTES) throw new ApiError(413, 'too_large', `A definition is at most ${MAX_BODY_BYTES / 1024} KB; simplify it.`);
    const parsed = parseAudienceBody(body);
    if (!parsed.ok) throw invalid(parsed.issues);
    const { name, definition, writeKey: bodyKey } = parsed.body;
    const site = await siteFor(c.env, namedSite(c.req.query('writeKey'), bodyKey), () => findAudiences(c.env, id));
    const existing = (await findAudiences(c.env, id)).find((a) => a.site === site);
    if (existing?.kind === 'static') throw kindFixed(existing);
    const now = new Date().toISOString();
    const entry: AudienceEntry = { site, id, kind: 'live', name, definition, createdAt: existing?.createdAt ?? now, updatedAt: now };
    await saveAudience(c.env, entry);
    // Scores need the site's boundaries before the first evaluation (a few hundred rows read per host).
    if ([...factsRead(definition)].some((fact) => fact.startsWith('rfm.'))) await refreshRfm(c.env, site);
    await replicated(AUDIENCE, () => replicate(c.env, site, [entry]));
    const [audience] = await siteReport(c.env, [entry]);
    return c.json({ ok: true, created: !existing, audience: audience! });
  });

  app.get('/v1/admin/audiences/:id', async (c) => {
    const entry = await existing(c);
    const [audience] = await siteReport(c.env, [entry], true);
    return c.json({ audience: audience! satisfies AudienceView });
  });

  app.delete('/v1/admin/audiences/:id', async (c) => {
    const entry = await existing(c);
    await deleteAudience(c.env, entry.site, entry.id);
    await replicated(AUDIENCE, () => replicate(c.env, entry.site, [], [entry.id]));
    return c.json({ ok: true, deleted: entry.id, writeKey: entry.site });
  });

  app.post('/v1/admin/audiences/:id/members', async (c) => {
    const parsed = parseMembersChangeBody(await readJsonBody(c.req.raw, '{ "add"?: [profileId…], "remove"?: [profileId…], "writeKey"? }', MAX_LIST_BODY_BYTES));
    if (!parsed.ok) throw invalid(parsed.issues, 'invalid_members_change');
    const entry = await existing(c, parsed.body.writeKey);
    if (entry.kind !== 'static') {
      throw new ApiError(
        409,
        'live_audience',
        `The audience "${entry.id.slice(0, 64)}" is live: its members follow its definition. Only a static audience (PUT with "profileIds") takes members by hand.`,
      );
    }
    const updated: StaticAudienceEntry = { ...entry, updatedAt: new Date().toISOString() };
    await saveAudience(c.env, updated);
    const list = await replicated(AUDIENCE, () =>
      replicateList(c.env, updated, { ...(parsed.body.add ? { add: parsed.body.add } : {}), ...(parsed.body.remove ? { remove: parsed.body.remove } : {}) }),
    );
    const [audience] = await siteReport(c.env, [updated]);
    return c.json({ ok: true, audience: audience!, list });
  });

  app.get('/v1/admin/audiences/:id/members', async (c) => {
    const entry = await existing(c);
    const format = c.req.query('format') ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'csv') throw badRequest('format must be ndjson or csv.');
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 100 : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_MEMBERS_PAGE)) throw badRequest(`limit must be an integer from 1 to ${MAX_MEMBERS_PAGE}.`);
    let page;
    try {
      page = await siteMembers(c.env, entry.site, entry.id, c.req.query('cursor'), limit);
    } catch (err) {
      if (err instanceof InvalidCursor) throw badRequest('cursor must be the value of a previous Next-Cursor header of this audience.');
      throw err;
    }
    const headers: Record<string, string> = {};
    if (page.nextCursor) headers['Next-Cursor'] = page.nextCursor;
    if (format === 'csv') {
      headers['Content-Type'] = 'text/csv; charset=utf-8';
      headers['Content-Disposition'] = `attachment; filename="${entry.id}-members.csv"`;
      return new Response(membersCsv(page.members), { headers });
    }
    headers['Content-Type'] = 'application/x-ndjson; charset=utf-8';
    return new Response(membersNdjson(page.members), { headers });
  });

  return app;
}

/**
 * A static audience: its members are the profiles listed (ids followed
 * through merges; unknown ones reported, not stored). A PUT replaces the
 * list; each entry and exit goes to the destinations.
 */
async function putStatic(c: Context<AppEnv>, id: string, body: unknown): Promise<Response> {
  const parsed = parseStaticAudienceBody(body);
  if (!parsed.ok) throw invalid(parsed.issues);
  const { name, profileIds, description } = parsed.body;
  const site = await siteFor(c.env, namedSite(c.req.query('writeKey'), parsed.body.writeKey), () => findAudiences(c.env, id));
  const existing = (await findAudiences(c.env, id)).find((a) => a.site === site);
  if (existing && existing.kind !== 'static') throw kindFixed(existing);
  const now = new Date().toISOString();
  const entry: StaticAudienceEntry = {
    site,
    id,
    kind: 'static',
    name,
    definition: null,
    ...(description ? { description } : {}),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await saveAudience(c.env, entry);
  const list = await replicated(AUDIENCE, () => replicateList(c.env, entry, { add: profileIds, replace: true }));
  const [audience] = await siteReport(c.env, [entry]);
  return c.json({ ok: true, created: !existing, audience: audience!, list });
}

/** An audience keeps its kind: conditions and a hand-kept list would each undo the other. */
function kindFixed(entry: AudienceEntry): ApiError {
  const other = entry.kind === 'static' ? 'a static list (PUT with "profileIds", or POST …/members)' : 'live (PUT with "definition")';
  return new ApiError(409, 'audience_kind_fixed', `The audience "${entry.id.slice(0, 64)}" is ${other}; keep it so, or DELETE it first, or choose another id.`);
}

function invalid(issues: { path: string; message: string }[], code = 'invalid_audience'): ApiError {
  return new ApiError(400, code, describeDefinitionIssues(issues), {}, { issues });
}

/** The audience a request names: in the site given (query, or the body's `writeKey`), or the one site that has that id. */
function existing(c: Context<AppEnv>, bodyKey?: string): Promise<AudienceEntry> {
  return existingEntry(c, AUDIENCE, (id) => findAudiences(c.env, id), bodyKey);
}
