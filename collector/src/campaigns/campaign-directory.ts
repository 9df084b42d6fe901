/** The directory of campaigns in D1, per site: what the admin API lists and what every profile host replicates. */
import type { CampaignDefinition } from '@trailmark/schema';

export interface CampaignEntry {
  site: string;
  definition: CampaignDefinition;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  site: string;
  id: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

const fromRow = (row: Row): CampaignEntry => ({
  site: row.site,
  definition: JSON.parse(row.definition) as CampaignDefinition,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function listCampaigns(env: Env, site?: string): Promise<CampaignEntry[]> {
  const statement = site
    ? env.DB.prepare('SELECT * FROM campaigns WHERE site = ? ORDER BY id').bind(site)
    : env.DB.prepare('SELECT * FROM campaigns ORDER BY site, id');
  return (await statement.all<Row>()).results.map(fromRow);
}

/** The campaigns with this id, in every site (an id is unique within its site). */
export async function findCampaigns(env: Env, id: string): Promise<CampaignEntry[]> {
  return (await env.DB.prepare('SELECT * FROM campaigns WHERE id = ? ORDER BY site').bind(id).all<Row>()).results.map(fromRow);
}

export async function saveCampaign(env: Env, entry: CampaignEntry): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO campaigns (site, id, definition, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (site, id) DO UPDATE SET definition = ?3, updated_at = ?5`,
  )
    .bind(entry.site, entry.definition.id, JSON.stringify(entry.definition), entry.createdAt, entry.updatedAt)
    .run();
}

export async function deleteCampaign(env: Env, site: string, id: string): Promise<void> {
  await env.DB.prepare('DELETE FROM campaigns WHERE site = ? AND id = ?').bind(site, id).run();
}
