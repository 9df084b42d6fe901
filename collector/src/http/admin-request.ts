/**
 * What the admin APIs of site resources replicated to the profile hosts
 * (audiences, campaigns) read from a request the same way: the JSON body,
 * the resource id, the site named by the query or the body, the one entry an
 * id names, and the answer when not every host took a change yet.
 */
import type { Context } from 'hono';
import { RESOURCE_ID } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { listSites } from '../sites/site-directory';
import { ApiError, badRequest } from './errors';
import { readBodyText } from './read-body';

const MAX_BODY_BYTES = 64 * 1024;

/** How the messages name a kind of resource: `{ noun: 'audience', article: 'an' }`. */
export interface ResourceKind {
  noun: string;
  article: 'a' | 'an';
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The body as JSON; a 400 that shows `shape` when it is empty or not JSON. */
export async function readJsonBody(request: Request, shape: string, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(request, limit);
  if (!text.trim()) throw badRequest(`The body must be JSON: ${shape}.`);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`The body is not valid JSON; send ${shape}.`);
  }
}

/** The `:id` of the path, if it is a valid resource id. */
export function resourceId(c: Context<AppEnv>, kind: ResourceKind): string {
  const id = c.req.param('id') ?? '';
  if (!RESOURCE_ID.test(id)) throw badRequest(`${capitalised(kind.article)} ${kind.noun} id is 1–128 letters, digits, "_", "-", "." or ":".`);
  return id;
}

/** The site the query's `writeKey` or the body's names (undefined: neither); a 400 when they name two. */
export function namedSite(queryKey: string | undefined, bodyKey: string | undefined): string | undefined {
  if (queryKey !== undefined && bodyKey !== undefined && queryKey !== bodyKey) {
    throw badRequest(`writeKey: the body names the site "${bodyKey.slice(0, 64)}" and the query "${queryKey.slice(0, 64)}"; name one.`);
  }
  return queryKey ?? bodyKey;
}

/** `writeKey` if a site has it; a 404 otherwise. */
export async function knownSite(env: Env, writeKey: string): Promise<string> {
  if (!(await listSites(env)).some((s) => s.writeKey === writeKey))
    throw new ApiError(404, 'unknown_site', `No site has the write key "${writeKey.slice(0, 64)}".`);
  return writeKey;
}

/** The site named, or the only one. */
export async function siteOf(env: Env, writeKey: string | undefined): Promise<string> {
  if (writeKey !== undefined) return knownSite(env, writeKey);
  const sites = await listSites(env);
  if (sites.length !== 1) throw badRequest('Name the site: ?writeKey=… (or "writeKey" in the body).');
  return sites[0]!.writeKey;
}

/** The site of a PUT: the one named, else the one site that already has a resource with this id (`holders`), else the only site. */
export async function siteFor(env: Env, writeKey: string | undefined, holders: () => Promise<readonly { site: string }[]>): Promise<string> {
  if (writeKey !== undefined) return knownSite(env, writeKey);
  const found = await holders();
  if (found.length === 1) return found[0]!.site;
  return siteOf(env, undefined);
}

/**
 * The one entry a request names: among `find(id)` (every site's entries
 * with the id), the one of the site `?writeKey=` (or the body's `bodyKey`)
 * names, or the only one.
 */
export async function existingEntry<T extends { site: string }>(
  c: Context<AppEnv>,
  kind: ResourceKind,
  find: (id: string) => Promise<readonly T[]>,
  bodyKey?: string,
): Promise<T> {
  const id = resourceId(c, kind);
  const writeKey = namedSite(c.req.query('writeKey'), bodyKey);
  if (writeKey !== undefined) await knownSite(c.env, writeKey);
  const found = (await find(id)).filter((entry) => writeKey === undefined || entry.site === writeKey);
  if (found.length === 0) {
    throw new ApiError(
      404,
      `unknown_${kind.noun}`,
      `No ${kind.noun} has the id "${id.slice(0, 64)}"${writeKey ? ` in the site ${writeKey.slice(0, 64)}` : ''}; create it with PUT.`,
    );
  }
  if (found.length > 1) throw badRequest(`Several sites have ${kind.article} ${kind.noun} "${id.slice(0, 64)}": name the site with ?writeKey=…`);
  return found[0]!;
}

/** Runs a replication to the profile hosts; when one did not take it, a 503 that says the change is saved and repeating the request finishes it. */
export async function replicated<T>(kind: ResourceKind, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    console.warn(`${kind.noun} replication failed: ${err instanceof Error ? err.message : String(err)}`);
    throw new ApiError(
      503,
      'replication_pending',
      `The ${kind.noun} is saved but not every profile host has taken it yet; repeat the request in a few seconds (it is safe to).`,
      { 'Retry-After': '5' },
    );
  }
}
