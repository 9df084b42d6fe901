-- Campaigns (contract section 8), per site: what the admin API lists and the
-- source every profile host's replica is made from. Assignments and outcomes
-- live with the profiles (Durable Object SQLite).
CREATE TABLE IF NOT EXISTS campaigns (
  site        TEXT NOT NULL,   -- write key
  id          TEXT NOT NULL,
  definition  TEXT NOT NULL,   -- JSON CampaignDefinition (schema/src/campaigns.ts)
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (site, id)
);
CREATE INDEX IF NOT EXISTS campaigns_by_id ON campaigns (id);
