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
import { RESOURCE_ID, type AudienceView } from '@trailmark/schema';
import { describeDefinitionIssues, parseAudienceBody, parsePreviewBody } from '@trailmark/schema/audience-schema';
import { isStaticAudienceBody, parseMembersChangeBody, parseStaticAudienceBody } from '@trailmark/schema/static-audience-schema';
import type { AppEnv } from '../app-env';
import { adminAuth } from '../http/admin-auth';
import { ApiError, badRequest } from '../http/errors';
import { readBodyText } from '../http/read-body';
import { listSites } from '../sites/site-directory';
import { deleteAudience, findAudiences, listAudiences, saveAudience, type AudienceEntry, type StaticAudienceEntry } from './audience-directory';
import { factsRead } from './condition';
import { membersCsv, membersNdjson } from './members-format';
import { InvalidCursor, refreshRfm, replicate, replicateList, siteMembers, sitePreview, siteReport } from './site-audiences';

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
    const parsed = parsePreviewBody(await jsonBody(c.req.raw, '{ "definition", "writeKey"? }'));
    if (!parsed.ok) throw invalid(parsed.issues);
    const site = await siteOf(c.env, c.req.query('writeKey') ?? parsed.body.writeKey);
    return c.json({ writeKey: site, ...(await sitePreview(c.env, site, parsed.body.definition)) });
  });

  app.put('/v1/admin/audiences/:id', async (c) => {
    const id = audienceId(c);
    if (RESERVED_IDS.has(id)) throw badRequest(`"${id}" is a reserved word of this API; choose another audience id.`);
    const body = await jsonBody(c.req.raw, '{ "name", "definition", "writeKey"? } or { "name", "profileIds", "description"?, "writeKey"? }', MAX_LIST_BODY_BYTES);
    if (isStaticAudienceBody(body)) return putStatic(c, id, body);
    if (JSON.stringify(body).length > MAX_BODY_BYTES) throw new ApiError(413, 'too_large', `A definition is at most ${MAX_BODY_BYTES / 1024} KB; simplify it.`);
    const parsed = parseAudienceBody(body);
    if (!parsed.ok) throw invalid(parsed.issues);
    const { name, definition, writeKey: bodyKey } = parsed.body;
    const site = await siteFor(c.env, id, oneWriteKey(c.req.query('writeKey'), bodyKey));
    const existing = (await findAudiences(c.env, id)).find((a) => a.site === site);
    if (existing?.kind === 'static') throw kindFixed(existing);
    const now = new Date().toISOString();
    const entry: AudienceEntry = { site, id, kind: 'live', name, definition, createdAt: existing?.createdAt ?? now, updatedAt: now };
    await saveAudience(c.env, entry);
    // Scores need the site's boundaries before the first evaluation (a few hundred rows read per host).
    if ([...factsRead(definition)].some((fact) => fact.startsWith('rfm.'))) await refreshRfm(c.env, site);
    await replicated(() => replicate(c.env, site, [entry]));
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
    await replicated(() => replicate(c.env, entry.site, [], [entry.id]));
    return c.json({ ok: true, deleted: entry.id, writeKey: entry.site });
  });

  app.post('/v1/admin/audiences/:id/members', async (c) => {
    const parsed = parseMembersChangeBody(await jsonBody(c.req.raw, '{ "add"?: [profileId…], "remove"?: [profileId…], "writeKey"? }', MAX_LIST_BODY_BYTES));
    if (!parsed.ok) throw invalid(parsed.issues, 'invalid_members_change');
    const entry = await existing(c, parsed.body.writeKey);
    if (entry.kind !== 'static') {
      throw new ApiError(409, 'live_audience', `The audience "${entry.id.slice(0, 64)}" is live: its members follow its definition. Only a static audience (PUT with "profileIds") takes members by hand.`);
    }
    const updated: StaticAudienceEntry = { ...entry, updatedAt: new Date().toISOString() };
    await saveAudience(c.env, updated);
    const list = await replicated(() => replicateList(c.env, updated, { ...(parsed.body.add ? { add: parsed.body.add } : {}), ...(parsed.body.remove ? { remove: parsed.body.remove } : {}) }));
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
  const site = await siteFor(c.env, id, oneWriteKey(c.req.query('writeKey'), parsed.body.writeKey));
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
  const list = await replicated(() => replicateList(c.env, entry, { add: profileIds, replace: true }));
  const [audience] = await siteReport(c.env, [entry]);
  return c.json({ ok: true, created: !existing, audience: audience!, list });
}

/** An audience keeps its kind: conditions and a hand-kept list would each undo the other. */
function kindFixed(entry: AudienceEntry): ApiError {
  const other = entry.kind === 'static' ? 'a static list (PUT with "profileIds", or POST …/members)' : 'live (PUT with "definition")';
  return new ApiError(409, 'audience_kind_fixed', `The audience "${entry.id.slice(0, 64)}" is ${other}; keep it so, or DELETE it first, or choose another id.`);
}

function oneWriteKey(queryKey: string | undefined, bodyKey: string | undefined): string | undefined {
  if (queryKey !== undefined && bodyKey !== undefined && queryKey !== bodyKey) {
    throw badRequest(`writeKey: the body names the site "${bodyKey.slice(0, 64)}" and the query "${queryKey.slice(0, 64)}"; name one.`);
  }
  return queryKey ?? bodyKey;
}

function invalid(issues: { path: string; message: string }[], code = 'invalid_audience'): ApiError {
  return new ApiError(400, code, describeDefinitionIssues(issues), {}, { issues });
}

/** Replication reached not every host: the definition is saved, and a repeated request finishes it. */
async function replicated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    console.warn(`audience replication failed: ${err instanceof Error ? err.message : String(err)}`);
    throw new ApiError(503, 'replication_pending', 'The audience is saved but not every profile host has taken it yet; repeat the request in a few seconds (it is safe to).', { 'Retry-After': '5' });
  }
}

function audienceId(c: Context<AppEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!RESOURCE_ID.test(id)) throw badRequest('An audience id is 1–128 letters, digits, "_", "-", "." or ":".');
  return id;
}

/** The audience a GET or DELETE names: in the site given, or the one site that has that id. */
async function existing(c: Context<AppEnv>, bodyKey?: string): Promise<AudienceEntry> {
  const id = audienceId(c);
  const writeKey = oneWriteKey(c.req.query('writeKey'), bodyKey);
  if (writeKey !== undefined) await knownSite(c.env, writeKey);
  const found = (await findAudiences(c.env, id)).filter((a) => writeKey === undefined || a.site === writeKey);
  if (found.length === 0) throw new ApiError(404, 'unknown_audience', `No audience has the id "${id.slice(0, 64)}"${writeKey ? ` in the site ${writeKey.slice(0, 64)}` : ''}; create it with PUT.`);
  if (found.length > 1) throw badRequest(`Several sites have an audience "${id.slice(0, 64)}": name the site with ?writeKey=…`);
  return found[0]!;
}

async function knownSite(env: Env, writeKey: string): Promise<string> {
  if (!(await listSites(env)).some((s) => s.writeKey === writeKey)) throw new ApiError(404, 'unknown_site', `No site has the write key "${writeKey.slice(0, 64)}".`);
  return writeKey;
}

/** The site named, or the only one. */
async function siteOf(env: Env, writeKey: string | undefined): Promise<string> {
  if (writeKey !== undefined) return knownSite(env, writeKey);
  const sites = await listSites(env);
  if (sites.length !== 1) throw badRequest('Name the site: ?writeKey=… (or "writeKey" in the body).');
  return sites[0]!.writeKey;
}

/** The site of a PUT: the one named, else the one site that already has this audience, else the only site. */
async function siteFor(env: Env, id: string, writeKey: string | undefined): Promise<string> {
  if (writeKey !== undefined) return knownSite(env, writeKey);
  const holders = await findAudiences(env, id);
  if (holders.length === 1) return holders[0]!.site;
  return siteOf(env, undefined);
}

async function jsonBody(request: Request, shape: string, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(request, limit);
  if (!text.trim()) throw badRequest(`The body must be JSON: ${shape}.`);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`The body is not valid JSON; send ${shape}.`);
  }
}
