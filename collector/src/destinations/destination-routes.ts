/**
 * The destinations admin API (Bearer ADMIN_TOKEN):
 *
 *   PUT    /v1/admin/destinations/:id              create or change; the first answer holds the signing secret
 *   GET    /v1/admin/destinations[?writeKey=]      list (no secrets)
 *   GET    /v1/admin/destinations/:id              one, with its outbox status (no secrets)
 *   DELETE /v1/admin/destinations/:id              delete; what it still had to deliver is dropped
 *   GET    /v1/admin/destinations/:id/deliveries   every attempt, newest first, paged (?cursor, ?limit, ?outcome)
 *   POST   /v1/admin/destinations/:id/replay       dead deliveries again (all, or { webhookIds })
 *   POST   /v1/admin/destinations/:id/test         one test delivery
 *
 * The site a destination serves is `?writeKey=` (or the only site); for a
 * webhook the body's `writeKey` may name it too, as in the audiences API,
 * while for a segment destination the body's `writeKey` is the key it sends.
 */
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { DestinationBodySchema, RESOURCE_ID, ReplayBodySchema, type DestinationKind } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { adminAuth } from '../http/admin-auth';
import { ApiError, badRequest, describeIssue } from '../http/errors';
import { readBodyText } from '../http/read-body';
import { listSites } from '../sites/site-directory';
import { deleteDestination, destinationStub, findDestination, listDestinations, saveDestination } from './destination-directory';
import { ResolverUnavailable, resolveHost } from './resolver';
import { checkAddresses, checkDestinationUrl } from './url-guard';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_LOG_PAGE = 1000;

export function destinationRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/destinations', adminAuth());
  app.use('/v1/admin/destinations/*', adminAuth());

  app.get('/v1/admin/destinations', async (c) => {
    const writeKey = c.req.query('writeKey');
    if (writeKey !== undefined) await knownSite(c.env, writeKey);
    return c.json({ destinations: await listDestinations(c.env, writeKey) });
  });

  app.put('/v1/admin/destinations/:id', async (c) => {
    const id = destinationId(c);
    const input = await jsonBody(c.req.raw, true);
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw badRequest('The body must be a JSON object: { "url", "audiences": [id…], "kind"?, "writeKey"? }.');
    }
    const parsed = v.safeParse(DestinationBodySchema, input);
    if (!parsed.success) throw badRequest(`Invalid destination: ${describeIssue(parsed.issues[0])}`);
    const body = parsed.output;
    const existing = await findDestination(c.env, id);
    const kind: DestinationKind = body.kind ?? existing?.kind ?? 'webhook';
    const site = await siteFor(c.env, c.req.query('writeKey'), kind === 'webhook' ? body.writeKey : undefined, existing?.site);

    if (kind === 'segment' && !body.writeKey) {
      const previous = existing ? await destinationStub(c.env, id).view() : null;
      if (!previous?.writeKeySet)
        throw badRequest('writeKey: a segment destination sends Segment calls with a write key of the receiving source; give it in "writeKey".');
    }
    if (kind === 'webhook' && body.writeKey && body.writeKey !== site) {
      throw badRequest(
        `writeKey: for a webhook destination writeKey names its site, and "${body.writeKey.slice(0, 64)}" is not the site ${site}; leave it out or use ?writeKey=.`,
      );
    }
    await checkUrl(c.env, body.url);

    const { secret, destination } = await destinationStub(c.env, id).configure({
      id,
      site,
      kind,
      url: body.url.trim(),
      audiences: [...new Set(body.audiences)],
      ...(kind === 'segment' && body.writeKey ? { segmentWriteKey: body.writeKey } : {}),
      // Not in the directory: a creation, whatever an earlier PUT that failed halfway left in the object, so a secret is shown.
      rotateSecret: body.rotateSecret === true || !existing,
    });
    await saveDestination(c.env, {
      id,
      site,
      kind,
      url: destination.url,
      audiences: destination.audiences,
      createdAt: destination.createdAt,
      updatedAt: destination.updatedAt,
    });
    // The secret is shown here only, once; it is never logged.
    return c.json({ ok: true, created: !existing, destination: secret ? { ...destination, secret } : destination, ...(secret ? { secret } : {}) });
  });

  app.get('/v1/admin/destinations/:id', async (c) => {
    const entry = await existing(c);
    const view = await destinationStub(c.env, entry.id).view();
    if (!view) throw unknownDestination(entry.id);
    return c.json({ destination: view });
  });

  app.delete('/v1/admin/destinations/:id', async (c) => {
    const entry = await existing(c);
    const stub = destinationStub(c.env, entry.id);
    const { pending, dead } = await stub.status();
    await stub.destroy();
    await deleteDestination(c.env, entry.id);
    return c.json({ ok: true, deleted: entry.id, dropped: { pending, dead } });
  });

  app.get('/v1/admin/destinations/:id/deliveries', async (c) => {
    const entry = await existing(c);
    const cursor = c.req.query('cursor');
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw badRequest('cursor must be the value of a previous Next-Cursor header.');
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_PAGE) throw badRequest(`limit must be an integer from 1 to ${MAX_LOG_PAGE}.`);
    const outcome = c.req.query('outcome');
    if (outcome !== undefined && outcome !== 'delivered' && outcome !== 'failed' && outcome !== 'dead') {
      throw badRequest('outcome must be delivered, failed or dead.');
    }
    const page = await destinationStub(c.env, entry.id).deliveries(cursor === undefined ? undefined : Number(cursor), limit, outcome);
    if (page.nextCursor) c.header('Next-Cursor', page.nextCursor);
    return c.json({ destination: entry.id, deliveries: page.attempts, nextCursor: page.nextCursor });
  });

  app.post('/v1/admin/destinations/:id/replay', async (c) => {
    const entry = await existing(c);
    const input = (await jsonBody(c.req.raw, false)) ?? {};
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw badRequest('The body must be a JSON object: { "webhookIds"?: [id…] }, or empty.');
    const parsed = v.safeParse(ReplayBodySchema, input);
    if (!parsed.success) throw badRequest(`Invalid replay: ${describeIssue(parsed.issues[0])}`);
    const { replayed, superseded } = await destinationStub(c.env, entry.id).replay(parsed.output.webhookIds);
    return c.json({ ok: true, replayed, superseded });
  });

  app.post('/v1/admin/destinations/:id/test', async (c) => {
    const entry = await existing(c);
    const key = `test:${crypto.randomUUID()}`;
    const now = new Date().toISOString();
    const { added } = await destinationStub(c.env, entry.id).enqueue([
      {
        key,
        type: 'audience.entered',
        timestamp: now,
        data: {
          audience: { id: 'test-audience', name: 'Test delivery' },
          profile: {
            profileId: 'test-profile',
            userId: 'test-user',
            anonymousIds: ['test-anonymous-id'],
            traits: { email: 'test@example.com' },
            region: { country: 'US', region: 'CA' },
            lifecycle: 'active',
          },
        },
      },
    ]);
    return c.json({ ok: true, enqueued: added });
  });

  return app;
}

async function existing(c: Context<AppEnv>) {
  const id = destinationId(c);
  const entry = await findDestination(c.env, id);
  if (!entry) throw unknownDestination(id);
  return entry;
}

function destinationId(c: Context<AppEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!RESOURCE_ID.test(id)) throw badRequest('A destination id is 1–128 letters, digits, "_", "-", "." or ":".');
  return id;
}

const unknownDestination = (id: string) => new ApiError(404, 'unknown_destination', `No destination has the id "${id.slice(0, 64)}"; create it with PUT.`);

async function knownSite(env: Env, writeKey: string): Promise<string> {
  if (!(await listSites(env)).some((s) => s.writeKey === writeKey))
    throw new ApiError(404, 'unknown_site', `No site has the write key "${writeKey.slice(0, 64)}".`);
  return writeKey;
}

/** The site a destination serves: kept once set; else ?writeKey=, a webhook body's writeKey, or the only site. */
async function siteFor(env: Env, query: string | undefined, bodyWriteKey: string | undefined, current: string | undefined): Promise<string> {
  const named = query ?? (current ? undefined : bodyWriteKey);
  if (current) {
    if (named !== undefined && named !== current) {
      throw new ApiError(
        409,
        'site_mismatch',
        `This destination serves the site ${current}; a destination cannot move to another site (delete it and create it there).`,
      );
    }
    return current;
  }
  if (named !== undefined) return knownSite(env, named);
  const sites = await listSites(env);
  if (sites.length !== 1) throw badRequest('Name the site whose audiences this destination receives: ?writeKey=…');
  return sites[0]!.writeKey;
}

async function checkUrl(env: Env, url: string): Promise<void> {
  const verdict = checkDestinationUrl(url, { devMode: env.DEV_MODE === 'true' });
  if (!verdict.ok) throw badRequest(`url: ${verdict.reason}.`, 'url_refused');
  if (!verdict.resolve) return;
  let addresses: string[];
  try {
    addresses = await resolveHost(verdict.resolve);
  } catch (err) {
    if (err instanceof ResolverUnavailable) {
      throw new ApiError(503, 'dns_unavailable', `Could not check where ${verdict.resolve} points right now; try again in a few seconds.`, {
        'Retry-After': '5',
      });
    }
    throw err;
  }
  const refusal = checkAddresses(verdict.resolve, addresses);
  if (refusal) throw badRequest(`url: ${refusal}.`, 'url_refused');
}

async function jsonBody(request: Request, required: boolean): Promise<unknown> {
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (!text.trim()) {
    if (required) throw badRequest('The body must be JSON: { "url", "audiences": [id…], "kind"?, "writeKey"? }.');
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The body must be JSON.');
  }
}
