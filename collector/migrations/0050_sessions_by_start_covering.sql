-- The visits of a period, read by start time, with everything the overview,
-- the breakdowns and the filters take from them. stats_sessions is keyed by
-- session (its per-event updates find the row by that key), so the index of
-- 0016 on (write_key, started_ms) held only the key: every visit of the
-- range was then looked up in the table, in session-key order, which is
-- random. At a million events, 30 days are about 40,000 visits, and those
-- look-ups were two thirds of each statement's time. With the columns in the
-- index, a period is one ordered range of it. The counters in it (orders,
-- page views…) change as a visit goes on; those changes move an entry
-- within the newest pages of the index, which a drain has at hand anyway.
DROP INDEX stats_sessions_by_start;
CREATE INDEX stats_sessions_by_start ON stats_sessions (
  write_key, started_ms, profile_id,
  orders, page_views, searches, adds, checkouts,
  device, country, region, source, medium, campaign, landing_path, variant
);
