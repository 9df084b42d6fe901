/**
 * The directory of audience definitions in D1, per site: what the admin API
 * lists, and what every profile host of the site replicates (hosts.ts).
 */
import type { Condition } from '@trailmark/schema';

export interface AudienceEntry {
  site: string;
  id: string;
  name: string;
  definition: Condition;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  site: string;
  id: string;
  name: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

const fromRow = (row: Row): AudienceEntry => ({
  site: row.site,
  id: row.id,
  name: row.name,
  definition: JSON.parse(row.definition) as Condition,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function listAudiences(env: Env, site?: string): Promise<AudienceEntry[]> {
  const statement = site
    ? env.DB.prepare('SELECT * FROM audiences WHERE site = ? ORDER BY id').bind(site)
    : env.DB.prepare('SELECT * FROM audiences ORDER BY site, id');
  return (await statement.all<Row>()).results.map(fromRow);
}

/** The audiences with this id, in every site (an id is unique within its site). */
export async function findAudiences(env: Env, id: string): Promise<AudienceEntry[]> {
  return (await env.DB.prepare('SELECT * FROM audiences WHERE id = ? ORDER BY site').bind(id).all<Row>()).results.map(fromRow);
}

export async function saveAudience(env: Env, entry: AudienceEntry): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO audiences (site, id, name, definition, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (site, id) DO UPDATE SET name = ?3, definition = ?4, updated_at = ?6`,
  )
    .bind(entry.site, entry.id, entry.name, JSON.stringify(entry.definition), entry.createdAt, entry.updatedAt)
    .run();
}

export async function deleteAudience(env: Env, site: string, id: string): Promise<void> {
  await env.DB.prepare('DELETE FROM audiences WHERE site = ? AND id = ?').bind(site, id).run();
}

/** Sites with an audience that reads an RFM score: the ones whose boundaries are worth refreshing. */
export async function sitesReadingRfm(env: Env): Promise<string[]> {
  const { results } = await env.DB.prepare(`SELECT DISTINCT site FROM audiences WHERE definition LIKE '%"rfm.%'`).all<{ site: string }>();
  return results.map((r) => r.site);
}
