/**
 * The directory of destinations in D1: listing them, and which of a site's
 * destinations take an audience. Each destination's own state (secrets,
 * outbox, log) is in its DestinationOutbox object, addressed by its id.
 * Producers read the directory on every change, so each isolate keeps a
 * site's destinations for a few seconds.
 */
import type { DestinationKind } from '@trailmark/schema';

const TTL_MS = 10_000;

export interface DestinationEntry {
  id: string;
  site: string;
  kind: DestinationKind;
  url: string;
  audiences: string[];
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  site: string;
  kind: string;
  url: string;
  audiences: string;
  created_at: string;
  updated_at: string;
}

const fromRow = (row: Row): DestinationEntry => ({
  id: row.id,
  site: row.site,
  kind: row.kind as DestinationKind,
  url: row.url,
  audiences: JSON.parse(row.audiences) as string[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

let bySite = new Map<string, { entries: DestinationEntry[]; expires: number }>();

export function destinationStub(env: Env, id: string) {
  return env.DESTINATION_OUTBOX.getByName(id);
}

export async function listDestinations(env: Env, site?: string): Promise<DestinationEntry[]> {
  const statement = site
    ? env.DB.prepare('SELECT * FROM destinations WHERE site = ? ORDER BY id').bind(site)
    : env.DB.prepare('SELECT * FROM destinations ORDER BY id');
  return (await statement.all<Row>()).results.map(fromRow);
}

export async function findDestination(env: Env, id: string): Promise<DestinationEntry | null> {
  const row = await env.DB.prepare('SELECT * FROM destinations WHERE id = ?').bind(id).first<Row>();
  return row ? fromRow(row) : null;
}

export async function saveDestination(env: Env, entry: DestinationEntry): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO destinations (id, site, kind, url, audiences, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (id) DO UPDATE SET kind = ?3, url = ?4, audiences = ?5, updated_at = ?7`,
  )
    .bind(entry.id, entry.site, entry.kind, entry.url, JSON.stringify(entry.audiences), entry.createdAt, entry.updatedAt)
    .run();
  bySite = new Map();
}

export async function deleteDestination(env: Env, id: string): Promise<void> {
  await env.DB.prepare('DELETE FROM destinations WHERE id = ?').bind(id).run();
  bySite = new Map();
}

/** A site's destinations, as this isolate saw them at most TTL_MS ago. */
export async function siteDestinations(env: Env, site: string): Promise<DestinationEntry[]> {
  const now = Date.now();
  const hit = bySite.get(site);
  if (hit && hit.expires > now) return hit.entries;
  const entries = await listDestinations(env, site);
  if (bySite.size > 1000) bySite = new Map();
  bySite.set(site, { entries, expires: now + TTL_MS });
  return entries;
}
