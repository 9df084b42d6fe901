/**
 * The directory of audience definitions in D1, per site: what the admin API
 * lists, and what every profile host of the site replicates (hosts.ts).
 */
import type { AudienceKind, Condition } from '@trailmark/schema';

export type AudienceEntry = LiveAudienceEntry | StaticAudienceEntry;

interface EntryBase {
  site: string;
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface LiveAudienceEntry extends EntryBase {
  kind: 'live';
  definition: Condition;
}

/** Its members are a list kept on the profile hosts, not conditions. */
export interface StaticAudienceEntry extends EntryBase {
  kind: 'static';
  definition: null;
  description?: string;
}

interface Row {
  site: string;
  id: string;
  name: string;
  definition: string;
  created_at: string;
  updated_at: string;
  kind: AudienceKind;
  description: string | null;
}

function fromRow(row: Row): AudienceEntry {
  const base = { site: row.site, id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
  if (row.kind === 'static') return { ...base, kind: 'static', definition: null, ...(row.description ? { description: row.description } : {}) };
  return { ...base, kind: 'live', definition: JSON.parse(row.definition) as Condition };
}

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
    `INSERT INTO audiences (site, id, name, definition, created_at, updated_at, kind, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
     ON CONFLICT (site, id) DO UPDATE SET name = ?3, definition = ?4, updated_at = ?6, kind = ?7, description = ?8`,
  )
    .bind(
      entry.site,
      entry.id,
      entry.name,
      JSON.stringify(entry.definition),
      entry.createdAt,
      entry.updatedAt,
      entry.kind,
      entry.kind === 'static' ? (entry.description ?? null) : null,
    )
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
