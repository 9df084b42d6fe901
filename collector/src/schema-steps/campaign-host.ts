/**
 * The schema steps of the campaign module of a profile host (ShopState or a ProfileShard; migrateModule 'campaigns'), as shipped: step N is
 * applied once to every object that has run fewer than N (lib/migrate.ts).
 * Step 1 reads the audience module's `audience_members` (migrated first)
 * and adds an index to it to find members by entry time.
 * Frozen like the D1 migrations: append a step, never edit one.
 */
export const CAMPAIGN_MIGRATIONS: readonly string[] = [
  // Step 1
  `
CREATE TABLE IF NOT EXISTS campaign_definitions (
  campaign_id   TEXT PRIMARY KEY,
  definition    TEXT NOT NULL,                -- JSON CampaignDefinition
  swept_through INTEGER NOT NULL DEFAULT 0,   -- audience entries before this (ms) have been assigned
  updated_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS campaign_members (
  campaign_id  TEXT NOT NULL,
  profile_id   TEXT NOT NULL,
  grp          TEXT NOT NULL,                 -- treatment | control
  assigned_at  INTEGER NOT NULL,
  spend_before REAL NOT NULL DEFAULT 0,       -- site currency, 30 days before assignment
  converted_at INTEGER,                       -- event time of the first goal event in the window
  revenue      REAL NOT NULL DEFAULT 0,       -- Order Completed totals in the window, site currency
  delivered_at INTEGER,                       -- handed to the campaign's destinations
  served_at    INTEGER,                       -- first answered with the offer
  viewed_at    INTEGER,                       -- first Offer Viewed
  clicked_at   INTEGER,                       -- first Offer Clicked
  PRIMARY KEY (campaign_id, profile_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS campaign_members_by_profile ON campaign_members (profile_id);
CREATE TABLE IF NOT EXISTS campaign_held_out (
  campaign_id TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, profile_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS campaign_held_out_by_profile ON campaign_held_out (profile_id);
CREATE TABLE IF NOT EXISTS campaign_credits (
  campaign_id TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  message_id  TEXT NOT NULL,
  PRIMARY KEY (campaign_id, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS campaign_credits_by_profile ON campaign_credits (profile_id);
CREATE TABLE IF NOT EXISTS campaign_outbox (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  campaign_id TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS campaign_outbox_by_profile ON campaign_outbox (profile_id);
CREATE INDEX IF NOT EXISTS audience_members_by_entry ON audience_members (audience_id, entered_at);
`,
  // Step 2: each credit keeps what its event brought, so an identity merge can count the other profile's events that fall
  // in the kept assignment's window. Credits are recorded for every profile, member or not; NULL on credits made before.
  `
-- at: the event time (ms); goal: 1 for a goal event of the campaign; revenue: its Order Completed total in the
-- site currency, in a window or not; order_id: its order id (a person's order counts once).
ALTER TABLE campaign_credits ADD COLUMN at INTEGER;
ALTER TABLE campaign_credits ADD COLUMN goal INTEGER;
ALTER TABLE campaign_credits ADD COLUMN revenue REAL;
ALTER TABLE campaign_credits ADD COLUMN order_id TEXT;
`,
  // Step 3: an order in another currency than the campaign's adds no revenue; its credit says which currency, so the
  // report can say per group how many orders it left out. NULL on every other credit, and on credits made before.
  `
ALTER TABLE campaign_credits ADD COLUMN other_currency TEXT;
`,
];
