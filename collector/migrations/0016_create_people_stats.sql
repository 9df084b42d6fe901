-- People, sessions, steps and money for the dashboard (GET /v1/admin/stats/*),
-- kept incrementally like the figures of 0005: every stored, non-bot event
-- updates a handful of rows keyed by person, session, hour or day, so a
-- query reads rows per person or session of its range, never per event.
--
-- Times are integers: milliseconds (`*_ms`), hours (`hour`) and days (`day`)
-- since 1970-01-01 UTC, so windows and gaps are arithmetic. A person is the
-- profile an event belongs to after merges: when an anonymous profile joins
-- an identified one, its rows move to the identified one (stats_merge_feed).
-- Money is kept per currency (ISO 4217), never summed across currencies.
-- An amount without a currency counts in the site's `settings.currency`
-- (USD when unset) as it was when the event was stored.

-- ── Per session ───────────────────────────────────────────────────────
-- One row per visit: `context.sessionId` (the tag starts a new one after 30
-- minutes without activity); clients that send none get one session per
-- person and hour. Where the visit came from is taken from its first event.
CREATE TABLE stats_sessions (
  write_key     TEXT NOT NULL,
  session_key   TEXT NOT NULL,
  profile_id    TEXT NOT NULL,
  started_ms    INTEGER NOT NULL,
  last_ms       INTEGER NOT NULL,
  country       TEXT NOT NULL DEFAULT '',
  region        TEXT NOT NULL DEFAULT '',
  device        TEXT NOT NULL DEFAULT '',
  source        TEXT NOT NULL DEFAULT '',   -- utm_source, else the referring site, else '(direct)'
  medium        TEXT NOT NULL DEFAULT '',   -- utm_medium, else organic / social / email / referral, else '(none)'
  campaign      TEXT NOT NULL DEFAULT '',   -- utm_campaign, else ''
  referrer_host TEXT NOT NULL DEFAULT '',
  landing_path  TEXT NOT NULL DEFAULT '',
  variant       TEXT NOT NULL DEFAULT '',   -- recommendation group seen in the visit: treatment, control, or ''
  events        INTEGER NOT NULL DEFAULT 0,
  page_views    INTEGER NOT NULL DEFAULT 0,
  product_views INTEGER NOT NULL DEFAULT 0,
  searches      INTEGER NOT NULL DEFAULT 0,
  adds          INTEGER NOT NULL DEFAULT 0,
  checkouts     INTEGER NOT NULL DEFAULT 0,
  orders        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, session_key)
) WITHOUT ROWID;
CREATE INDEX stats_sessions_by_start ON stats_sessions (write_key, started_ms);
CREATE INDEX stats_sessions_by_profile ON stats_sessions (write_key, profile_id);

-- Referring sites with a known source and medium (`pattern` is a GLOB on the
-- host, matched as the host itself or any subdomain of it).
CREATE TABLE stats_known_referrers (
  pattern TEXT PRIMARY KEY,
  source  TEXT NOT NULL,
  medium  TEXT NOT NULL
);
INSERT INTO stats_known_referrers (pattern, source, medium) VALUES
  ('google.*', 'google', 'organic'), ('bing.com', 'bing', 'organic'), ('duckduckgo.com', 'duckduckgo', 'organic'),
  ('search.yahoo.com', 'yahoo', 'organic'), ('yahoo.co.jp', 'yahoo', 'organic'), ('baidu.com', 'baidu', 'organic'),
  ('yandex.*', 'yandex', 'organic'), ('ecosia.org', 'ecosia', 'organic'), ('naver.com', 'naver', 'organic'),
  ('facebook.com', 'facebook', 'social'), ('instagram.com', 'instagram', 'social'), ('t.co', 'twitter', 'social'),
  ('twitter.com', 'twitter', 'social'), ('x.com', 'twitter', 'social'), ('linkedin.com', 'linkedin', 'social'),
  ('lnkd.in', 'linkedin', 'social'), ('pinterest.*', 'pinterest', 'social'), ('tiktok.com', 'tiktok', 'social'),
  ('reddit.com', 'reddit', 'social'), ('youtube.com', 'youtube', 'social'), ('line.me', 'line', 'social'),
  ('mail.google.com', 'gmail', 'email'), ('outlook.live.com', 'outlook', 'email'), ('mail.*', 'webmail', 'email');

-- ── Per person ────────────────────────────────────────────────────────
CREATE TABLE stats_people (
  write_key    TEXT NOT NULL,
  profile_id   TEXT NOT NULL,
  first_ms     INTEGER NOT NULL,
  last_ms      INTEGER NOT NULL,
  user_id      TEXT,                  -- the latest customer id seen
  country      TEXT NOT NULL DEFAULT '', -- where and on what they were last seen
  region       TEXT NOT NULL DEFAULT '',
  device       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (write_key, profile_id)
) WITHOUT ROWID;
CREATE INDEX stats_people_by_last ON stats_people (write_key, last_ms);
CREATE INDEX stats_people_by_first ON stats_people (write_key, first_ms);

-- Every anonymousId and userId a person's events carried (lists and CSV exports name them all).
CREATE TABLE stats_person_ids (
  write_key  TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  kind       TEXT NOT NULL,           -- 'user' or 'anonymous'
  id         TEXT NOT NULL,
  PRIMARY KEY (write_key, profile_id, kind, id)
) WITHOUT ROWID;

-- When each person did each kind of event, per hour: the first and last time
-- and how often. Funnels read these (steps in order within a window): a step
-- is the event name of a track event, '$page' or '$identify'.
CREATE TABLE stats_person_steps (
  write_key   TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  step        TEXT NOT NULL,
  hour        INTEGER NOT NULL,
  first_ms    INTEGER NOT NULL,
  last_ms     INTEGER NOT NULL,
  n           INTEGER NOT NULL DEFAULT 0,
  session_key TEXT NOT NULL,          -- the session of the first one
  PRIMARY KEY (write_key, profile_id, step, hour)
) WITHOUT ROWID;
CREATE INDEX stats_person_steps_by_step ON stats_person_steps (write_key, step, hour);

-- The days each person was active: retention cohorts and lifecycle stages over time.
CREATE TABLE stats_person_days (
  write_key  TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  day        INTEGER NOT NULL,
  PRIMARY KEY (write_key, profile_id, day)
) WITHOUT ROWID;
CREATE INDEX stats_person_days_by_day ON stats_person_days (write_key, day);

-- ── Money ─────────────────────────────────────────────────────────────
-- One row per order. `value` is what the order is worth: its `total`, else
-- `revenue`, else `value`, else its products at their prices; negative
-- amounts never count.
CREATE TABLE stats_orders (
  write_key   TEXT NOT NULL,
  message_id  TEXT NOT NULL,
  profile_id  TEXT NOT NULL,
  session_key TEXT NOT NULL,
  at_ms       INTEGER NOT NULL,
  currency    TEXT NOT NULL,
  value       REAL NOT NULL,
  PRIMARY KEY (write_key, message_id)
) WITHOUT ROWID;
CREATE INDEX stats_orders_by_time ON stats_orders (write_key, at_ms);
CREATE INDEX stats_orders_by_profile ON stats_orders (write_key, profile_id);
CREATE INDEX stats_orders_by_session ON stats_orders (write_key, session_key);

-- Products sold by day, region and currency: units and item sales (price × quantity).
-- Replaces the units and revenue of stats_region_products, which summed currencies.
CREATE TABLE stats_region_sales (
  write_key  TEXT NOT NULL,
  day        INTEGER NOT NULL,
  country    TEXT NOT NULL,
  region     TEXT NOT NULL,
  product_id TEXT NOT NULL,
  currency   TEXT NOT NULL,
  category   TEXT,
  units      INTEGER NOT NULL DEFAULT 0,
  sales      REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, day, country, region, product_id, currency)
) WITHOUT ROWID;

-- Item sales credited to a recommendation click, by day, slot, variant and currency.
CREATE TABLE stats_slot_sales (
  write_key TEXT NOT NULL,
  day       INTEGER NOT NULL,
  slot      TEXT NOT NULL,
  variant   TEXT NOT NULL,
  currency  TEXT NOT NULL,
  sales     REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, day, slot, variant, currency)
) WITHOUT ROWID;

-- What each shopper exposed to a slot spent afterwards, per currency (order values).
CREATE TABLE stats_exposure_revenue (
  write_key  TEXT NOT NULL,
  slot       TEXT NOT NULL,
  variant    TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  currency   TEXT NOT NULL,
  revenue    REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, slot, variant, profile_id, currency)
) WITHOUT ROWID;
CREATE INDEX stats_exposure_revenue_by_profile ON stats_exposure_revenue (write_key, profile_id);

-- ── Searches ──────────────────────────────────────────────────────────
-- One row per `Products Searched`: the query as typed (trimmed, lower case),
-- the number of results the page showed (`properties.result_count`, null
-- when not sent), and whether a product was viewed in the same visit after
-- it and before the next search.
CREATE TABLE stats_searches (
  write_key    TEXT NOT NULL,
  message_id   TEXT NOT NULL,
  profile_id   TEXT NOT NULL,
  session_key  TEXT NOT NULL,
  at_ms        INTEGER NOT NULL,
  query        TEXT NOT NULL,
  result_count INTEGER,
  clicked      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, message_id)
) WITHOUT ROWID;
CREATE INDEX stats_searches_by_time ON stats_searches (write_key, at_ms);
CREATE INDEX stats_searches_by_session ON stats_searches (write_key, session_key, at_ms);
CREATE INDEX stats_searches_by_profile ON stats_searches (write_key, profile_id);

-- ── Lifecycle stages over time ────────────────────────────────────────
-- A person's stage on day D follows from their active days: new or active
-- up to activeDays after the last one, at risk up to atRiskDays, sleeping up
-- to lapsedDays, lapsed after ("new" while no later day followed the first).
-- Each stretch between two active days is kept as +1/−1 steps per stage and
-- day (a difference array): the count of a stage on D is the sum of its
-- steps up to D, whatever the number of people. stats_lifecycle_basis holds
-- the thresholds the steps were built with; the API rebuilds them when the
-- site's thresholds change.
CREATE TABLE stats_lifecycle_basis (
  write_key    TEXT PRIMARY KEY,
  active_days  INTEGER NOT NULL DEFAULT 14,
  at_risk_days INTEGER NOT NULL DEFAULT 30,
  lapsed_days  INTEGER NOT NULL DEFAULT 90
);
CREATE TABLE stats_lifecycle_deltas (
  write_key TEXT NOT NULL,
  day       INTEGER NOT NULL,
  stage     TEXT NOT NULL,
  delta     INTEGER NOT NULL,
  PRIMARY KEY (write_key, day, stage)
) WITHOUT ROWID;
CREATE VIEW stats_lifecycle_bands AS
  SELECT write_key, 0 AS band, 'active' AS stage, 0 AS lo, active_days AS hi FROM stats_lifecycle_basis
  UNION ALL SELECT write_key, 1, 'at-risk', active_days + 1, at_risk_days FROM stats_lifecycle_basis
  UNION ALL SELECT write_key, 2, 'sleeping', at_risk_days + 1, lapsed_days FROM stats_lifecycle_basis
  UNION ALL SELECT write_key, 3, 'lapsed', lapsed_days + 1, NULL FROM stats_lifecycle_basis;

-- One stretch from active day `a` to the next active day `b` (null: none yet),
-- added (sign 1) or taken away (−1); `first` when `a` is the person's first day.
CREATE TABLE stats_lifecycle_ops (write_key TEXT NOT NULL, a INTEGER NOT NULL, b INTEGER, first INTEGER NOT NULL, sign INTEGER NOT NULL);
CREATE TRIGGER stats_lifecycle_op AFTER INSERT ON stats_lifecycle_ops
BEGIN
  INSERT OR IGNORE INTO stats_lifecycle_basis (write_key) VALUES (NEW.write_key);
  INSERT INTO stats_lifecycle_deltas (write_key, day, stage, delta)
  SELECT NEW.write_key, s.day, s.stage, SUM(s.delta) FROM (
    SELECT CASE WHEN x.band = 0 AND NEW.first THEN 'new' ELSE x.stage END AS stage, x.start AS day, NEW.sign AS delta
    FROM (SELECT band, stage, NEW.a + lo AS start,
                 CASE WHEN hi IS NULL THEN NEW.b WHEN NEW.b IS NULL THEN NEW.a + hi + 1 ELSE MIN(NEW.b, NEW.a + hi + 1) END AS stop
          FROM stats_lifecycle_bands WHERE write_key = NEW.write_key) x
    WHERE x.stop IS NULL OR x.start < x.stop
    UNION ALL
    SELECT CASE WHEN x.band = 0 AND NEW.first THEN 'new' ELSE x.stage END, x.stop, -NEW.sign
    FROM (SELECT band, stage, NEW.a + lo AS start,
                 CASE WHEN hi IS NULL THEN NEW.b WHEN NEW.b IS NULL THEN NEW.a + hi + 1 ELSE MIN(NEW.b, NEW.a + hi + 1) END AS stop
          FROM stats_lifecycle_bands WHERE write_key = NEW.write_key) x
    WHERE x.stop IS NOT NULL AND x.start < x.stop
  ) s WHERE true GROUP BY s.day, s.stage
  ON CONFLICT (write_key, day, stage) DO UPDATE SET delta = delta + excluded.delta;
  DELETE FROM stats_lifecycle_ops WHERE rowid = NEW.rowid;
END;

-- An active day `day` added (added = 1) or removed (−1) between the person's
-- previous active day `p` and next one `n` (`nn`: the one after n; `p_first`:
-- p is the first): the stretch p→n becomes p→day and day→n, and when `day`
-- comes before everything, n stops being the first day.
CREATE TABLE stats_lifecycle_changes (
  write_key TEXT NOT NULL, day INTEGER NOT NULL, p INTEGER, n INTEGER, nn INTEGER, p_first INTEGER, added INTEGER NOT NULL
);
CREATE TRIGGER stats_lifecycle_change AFTER INSERT ON stats_lifecycle_changes
BEGIN
  INSERT INTO stats_lifecycle_ops (write_key, a, b, first, sign)
  SELECT NEW.write_key, o.a, o.b, o.first, o.sign * NEW.added FROM (
    SELECT NEW.p AS a, NEW.n AS b, NEW.p_first AS first, -1 AS sign WHERE NEW.p IS NOT NULL
    UNION ALL SELECT NEW.p, NEW.day, NEW.p_first, 1 WHERE NEW.p IS NOT NULL
    UNION ALL SELECT NEW.day, NEW.n, NEW.p IS NULL, 1
    UNION ALL SELECT NEW.n, NEW.nn, 1, -1 WHERE NEW.p IS NULL AND NEW.n IS NOT NULL
    UNION ALL SELECT NEW.n, NEW.nn, 0, 1 WHERE NEW.p IS NULL AND NEW.n IS NOT NULL
  ) o WHERE true;
  DELETE FROM stats_lifecycle_changes WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER stats_person_day_added AFTER INSERT ON stats_person_days
BEGIN
  INSERT INTO stats_lifecycle_changes (write_key, day, p, n, nn, p_first, added)
  SELECT NEW.write_key, NEW.day, x.p, x.n,
         (SELECT MIN(day) FROM stats_person_days WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id AND day > x.n),
         NOT EXISTS (SELECT 1 FROM stats_person_days WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id AND day < x.p),
         1
  FROM (SELECT (SELECT MAX(day) FROM stats_person_days WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id AND day < NEW.day) AS p,
               (SELECT MIN(day) FROM stats_person_days WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id AND day > NEW.day) AS n) x;
END;

CREATE TRIGGER stats_person_day_removed AFTER DELETE ON stats_person_days
BEGIN
  INSERT INTO stats_lifecycle_changes (write_key, day, p, n, nn, p_first, added)
  SELECT OLD.write_key, OLD.day, x.p, x.n,
         (SELECT MIN(day) FROM stats_person_days WHERE write_key = OLD.write_key AND profile_id = OLD.profile_id AND day > x.n),
         NOT EXISTS (SELECT 1 FROM stats_person_days WHERE write_key = OLD.write_key AND profile_id = OLD.profile_id AND day < x.p),
         -1
  FROM (SELECT (SELECT MAX(day) FROM stats_person_days WHERE write_key = OLD.write_key AND profile_id = OLD.profile_id AND day < OLD.day) AS p,
               (SELECT MIN(day) FROM stats_person_days WHERE write_key = OLD.write_key AND profile_id = OLD.profile_id AND day > OLD.day) AS n) x;
END;

-- ── How orders are read ───────────────────────────────────────────────
-- Leniently: amounts that are not numbers, or negative, do not count;
-- products that are not objects, or have no id, are skipped.

-- The currency of an event's amounts: `properties.currency`, else the site's.
CREATE VIEW stats_event_currency AS
SELECT e.seq,
       COALESCE(CASE WHEN json_type(e.body, '$.properties.currency') = 'text' AND length(json_extract(e.body, '$.properties.currency')) = 3
                     THEN upper(json_extract(e.body, '$.properties.currency')) END,
                (SELECT upper(json_extract(s.settings, '$.currency')) FROM sites s
                 WHERE s.write_key = e.write_key AND json_type(s.settings, '$.currency') = 'text' AND length(json_extract(s.settings, '$.currency')) = 3),
                'USD') AS currency
FROM events e;

-- The products of an order: id, category, quantity (1 when absent) and item sales (price × quantity).
CREATE VIEW stats_order_items AS
SELECT e.seq, c.currency,
       CAST(json_extract(j.value, '$.product_id') AS TEXT) AS product_id,
       CASE WHEN json_type(j.value, '$.category') = 'text' THEN json_extract(j.value, '$.category') END AS category,
       CASE WHEN json_type(j.value, '$.quantity') IN ('integer', 'real') AND json_extract(j.value, '$.quantity') > 0
            THEN json_extract(j.value, '$.quantity') ELSE 1 END AS quantity,
       CASE WHEN json_type(j.value, '$.price') IN ('integer', 'real') AND json_extract(j.value, '$.price') > 0 THEN json_extract(j.value, '$.price') ELSE 0 END
       * CASE WHEN json_type(j.value, '$.quantity') IN ('integer', 'real') AND json_extract(j.value, '$.quantity') > 0
              THEN json_extract(j.value, '$.quantity') ELSE 1 END AS sales
FROM events e JOIN stats_event_currency c ON c.seq = e.seq, json_each(e.body, '$.properties.products') j
WHERE json_type(e.body, '$.properties.products') = 'array'
  AND CASE WHEN j.type = 'object' THEN json_type(j.value, '$.product_id') IN ('text', 'integer') ELSE 0 END;

-- What an order is worth: its `total`, else `revenue`, else `value`, else its items.
CREATE VIEW stats_order_values AS
SELECT e.seq, c.currency,
       COALESCE(CASE WHEN json_type(e.body, '$.properties.total') IN ('integer', 'real') AND json_extract(e.body, '$.properties.total') >= 0 THEN json_extract(e.body, '$.properties.total') END,
                CASE WHEN json_type(e.body, '$.properties.revenue') IN ('integer', 'real') AND json_extract(e.body, '$.properties.revenue') >= 0 THEN json_extract(e.body, '$.properties.revenue') END,
                CASE WHEN json_type(e.body, '$.properties.value') IN ('integer', 'real') AND json_extract(e.body, '$.properties.value') >= 0 THEN json_extract(e.body, '$.properties.value') END,
                (SELECT SUM(i.sales) FROM stats_order_items i WHERE i.seq = e.seq), 0) AS value
FROM events e JOIN stats_event_currency c ON c.seq = e.seq;

-- Item sales of an order credited to recommendation clicks (`context.attribution`).
CREATE VIEW stats_slot_credits AS
SELECT e.seq, c.currency, json_extract(a.value, '$.slot') AS slot, json_extract(a.value, '$.variant') AS variant,
       COALESCE((SELECT SUM(i.sales) FROM stats_order_items i WHERE i.seq = e.seq AND i.product_id = CAST(json_extract(a.value, '$.productId') AS TEXT)), 0) AS sales
FROM events e JOIN stats_event_currency c ON c.seq = e.seq, json_each(e.body, '$.context.attribution') a
WHERE json_type(e.body, '$.context.attribution') = 'array'
  AND CASE WHEN a.type = 'object' THEN json_type(a.value, '$.slot') = 'text' AND json_type(a.value, '$.variant') = 'text' ELSE 0 END;

-- ── The feed: each stored event, once, with what every statistic needs ──
-- Stored events pass through stats_feed (and leave it at once), so the same
-- statements count new events and, below, the events already stored when
-- this migration runs. `profile_id` is the person after merges.
CREATE VIEW stats_feed_source AS
SELECT e.seq, e.write_key, e.message_id, e.type, e.event,
       CASE WHEN e.type IN ('page', 'screen') THEN '$page'
            WHEN e.type = 'identify' THEN '$identify'
            WHEN e.type = 'track' AND e.event IS NOT NULL AND e.event <> 'Web Vitals' THEN substr(e.event, 1, 100) END AS step,
       COALESCE(m.to_profile, e.profile_id) AS profile_id,
       e.user_id, e.anonymous_id, e.timestamp AS at,
       CAST(round((julianday(e.timestamp) - 2440587.5) * 86400000) AS INTEGER) AS at_ms,
       COALESCE(CASE WHEN json_type(e.body, '$.context.sessionId') = 'text' AND json_extract(e.body, '$.context.sessionId') <> ''
                     THEN 's:' || substr(json_extract(e.body, '$.context.sessionId'), 1, 64) END,
                'h:' || COALESCE(m.to_profile, e.profile_id) || ':' || substr(e.timestamp, 1, 13)) AS session_key,
       COALESCE(e.country, '') AS country, COALESCE(e.region, '') AS region,
       COALESCE(json_extract(e.body, '$.context.device.type'), '') AS device
FROM events e LEFT JOIN profile_merges m ON m.write_key = e.write_key AND m.from_profile = e.profile_id
WHERE e.bot = 0;

-- The body stays in the event log: what a statement needs from it, it reads there by `seq`.
CREATE TABLE stats_feed (
  seq INTEGER, write_key TEXT, message_id TEXT, type TEXT, event TEXT, step TEXT, profile_id TEXT, user_id TEXT, anonymous_id TEXT,
  at TEXT, at_ms INTEGER, session_key TEXT, country TEXT, region TEXT, device TEXT
);

-- Where a visit came from, read from its first event: UTM parameters, the
-- referring page's host and the page's own (a referrer on the shop itself
-- is no source), and the landing path.
CREATE VIEW stats_landing AS
SELECT seq, utm_source, utm_medium, utm_campaign, path,
       CASE WHEN rh GLOB 'www.*' THEN substr(rh, 5) ELSE rh END AS host,
       CASE WHEN uh GLOB 'www.*' THEN substr(uh, 5) ELSE uh END AS own_host
FROM (SELECT seq, utm_source, utm_medium, utm_campaign, path,
             lower(substr(r, 1, MIN(instr(r || '/', '/'), instr(r || ':', ':'), instr(r || '?', '?')) - 1)) AS rh,
             lower(substr(u, 1, MIN(instr(u || '/', '/'), instr(u || ':', ':'), instr(u || '?', '?')) - 1)) AS uh
      FROM (SELECT seq, utm_source, utm_medium, utm_campaign, path,
                   CASE WHEN instr(referrer, '://') > 0 THEN substr(referrer, instr(referrer, '://') + 3) ELSE '' END AS r,
                   CASE WHEN instr(url, '://') > 0 THEN substr(url, instr(url, '://') + 3) ELSE '' END AS u
            FROM (SELECT e.seq,
                         lower(substr(COALESCE(json_extract(e.body, '$.context.campaign.source'), ''), 1, 100)) AS utm_source,
                         lower(substr(COALESCE(json_extract(e.body, '$.context.campaign.medium'), ''), 1, 100)) AS utm_medium,
                         substr(COALESCE(json_extract(e.body, '$.context.campaign.name'), ''), 1, 100) AS utm_campaign,
                         substr(COALESCE(json_extract(e.body, '$.context.page.path'), ''), 1, 200) AS path,
                         COALESCE(CASE WHEN json_type(e.body, '$.context.page.referrer') = 'text' THEN json_extract(e.body, '$.context.page.referrer') END,
                                  CASE WHEN json_type(e.body, '$.properties.referrer') = 'text' THEN json_extract(e.body, '$.properties.referrer') END, '') AS referrer,
                         COALESCE(CASE WHEN json_type(e.body, '$.context.page.url') = 'text' THEN json_extract(e.body, '$.context.page.url') END, '') AS url
                  FROM events e)));

-- A visit's first event (or one earlier than it): the session row takes where the visit came from.
CREATE TABLE stats_session_feed (
  seq INTEGER, write_key TEXT, session_key TEXT, profile_id TEXT, at_ms INTEGER, country TEXT, region TEXT, device TEXT
);
CREATE TRIGGER stats_session_start AFTER INSERT ON stats_session_feed
BEGIN
  INSERT INTO stats_sessions (write_key, session_key, profile_id, started_ms, last_ms, country, region, device,
                              source, medium, campaign, referrer_host, landing_path)
  SELECT NEW.write_key, NEW.session_key, NEW.profile_id, NEW.at_ms, NEW.at_ms, NEW.country, NEW.region, NEW.device,
         CASE WHEN l.utm_source <> '' THEN l.utm_source
              WHEN l.host = '' OR l.host = l.own_host THEN '(direct)'
              ELSE COALESCE(k.source, l.host) END,
         CASE WHEN l.utm_medium <> '' THEN l.utm_medium
              WHEN l.utm_source <> '' OR l.host = '' OR l.host = l.own_host THEN '(none)'
              ELSE COALESCE(k.medium, 'referral') END,
         l.utm_campaign,
         CASE WHEN l.host = l.own_host THEN '' ELSE l.host END,
         l.path
  FROM stats_landing l LEFT JOIN stats_known_referrers k ON l.host GLOB k.pattern OR l.host GLOB '*.' || k.pattern
  WHERE l.seq = NEW.seq
  ORDER BY length(k.pattern) DESC LIMIT 1
  ON CONFLICT (write_key, session_key) DO UPDATE SET
    started_ms = excluded.started_ms, country = excluded.country, region = excluded.region, device = excluded.device,
    source = excluded.source, medium = excluded.medium, campaign = excluded.campaign,
    referrer_host = excluded.referrer_host, landing_path = excluded.landing_path;
  DELETE FROM stats_session_feed WHERE rowid = NEW.rowid;
END;

-- What a search asked and how many results the page said it showed.
CREATE VIEW stats_search_values AS
SELECT e.seq,
       lower(trim(substr(COALESCE(CASE WHEN json_type(e.body, '$.properties.query') IN ('text', 'integer', 'real') THEN json_extract(e.body, '$.properties.query') END, ''), 1, 100))) AS query,
       CASE WHEN json_type(e.body, '$.properties.result_count') IN ('integer', 'real') AND json_extract(e.body, '$.properties.result_count') >= 0
            THEN CAST(json_extract(e.body, '$.properties.result_count') AS INTEGER) END AS result_count
FROM events e;

CREATE TRIGGER stats_feed_event AFTER INSERT ON stats_feed
BEGIN
  -- The person: first and last seen, and where and on what they were last.
  INSERT INTO stats_people (write_key, profile_id, first_ms, last_ms, user_id, country, region, device)
  VALUES (NEW.write_key, NEW.profile_id, NEW.at_ms, NEW.at_ms, NEW.user_id, NEW.country, NEW.region, NEW.device)
  ON CONFLICT (write_key, profile_id) DO UPDATE SET
    first_ms = MIN(first_ms, excluded.first_ms),
    last_ms = MAX(last_ms, excluded.last_ms),
    user_id = CASE WHEN excluded.last_ms >= last_ms THEN COALESCE(excluded.user_id, user_id) ELSE COALESCE(user_id, excluded.user_id) END,
    country = CASE WHEN excluded.last_ms >= last_ms THEN excluded.country ELSE country END,
    region = CASE WHEN excluded.last_ms >= last_ms THEN excluded.region ELSE region END,
    device = CASE WHEN excluded.last_ms >= last_ms THEN excluded.device ELSE device END;
  INSERT OR IGNORE INTO stats_person_ids (write_key, profile_id, kind, id)
  SELECT NEW.write_key, NEW.profile_id, 'anonymous', NEW.anonymous_id WHERE NEW.anonymous_id IS NOT NULL
  UNION ALL SELECT NEW.write_key, NEW.profile_id, 'user', NEW.user_id WHERE NEW.user_id IS NOT NULL;
  INSERT OR IGNORE INTO stats_person_days (write_key, profile_id, day) VALUES (NEW.write_key, NEW.profile_id, NEW.at_ms / 86400000);

  -- The session: where it came from is worked out when its first event arrives (or an earlier one turns up).
  INSERT INTO stats_session_feed (seq, write_key, session_key, profile_id, at_ms, country, region, device)
  SELECT NEW.seq, NEW.write_key, NEW.session_key, NEW.profile_id, NEW.at_ms, NEW.country, NEW.region, NEW.device
  WHERE NOT EXISTS (SELECT 1 FROM stats_sessions WHERE write_key = NEW.write_key AND session_key = NEW.session_key AND started_ms <= NEW.at_ms);
  UPDATE stats_sessions SET
    last_ms = MAX(last_ms, NEW.at_ms),
    events = events + 1,
    page_views = page_views + (NEW.type = 'page'),
    product_views = product_views + (NEW.event IS 'Product Viewed'),
    searches = searches + (NEW.event IS 'Products Searched'),
    adds = adds + (NEW.event IS 'Product Added'),
    checkouts = checkouts + (NEW.event IS 'Checkout Started'),
    orders = orders + (NEW.event IS 'Order Completed'),
    variant = CASE WHEN variant = '' AND NEW.event = 'Recommendation Viewed'
                   THEN COALESCE((SELECT json_extract(body, '$.properties.variant') FROM events WHERE seq = NEW.seq), 'treatment') ELSE variant END
  WHERE write_key = NEW.write_key AND session_key = NEW.session_key;

  -- The step, for funnels.
  INSERT INTO stats_person_steps (write_key, profile_id, step, hour, first_ms, last_ms, n, session_key)
  SELECT NEW.write_key, NEW.profile_id, NEW.step, NEW.at_ms / 3600000, NEW.at_ms, NEW.at_ms, 1, NEW.session_key
  WHERE NEW.step IS NOT NULL
  ON CONFLICT (write_key, profile_id, step, hour) DO UPDATE SET
    first_ms = MIN(first_ms, excluded.first_ms),
    last_ms = MAX(last_ms, excluded.last_ms),
    n = n + 1,
    session_key = CASE WHEN excluded.first_ms < first_ms THEN excluded.session_key ELSE session_key END;

  -- Searches, and the search a product view follows.
  INSERT OR IGNORE INTO stats_searches (write_key, message_id, profile_id, session_key, at_ms, query, result_count, clicked)
  SELECT NEW.write_key, NEW.message_id, NEW.profile_id, NEW.session_key, NEW.at_ms, v.query, v.result_count,
         -- A view that arrived first: in the same visit, after the search, before any later search.
         EXISTS (SELECT 1 FROM stats_person_steps p
                 WHERE p.write_key = NEW.write_key AND p.profile_id = NEW.profile_id AND p.step IN ('Product Viewed', 'Product Clicked')
                   AND p.hour BETWEEN NEW.at_ms / 3600000 AND NEW.at_ms / 3600000 + 1 AND p.last_ms >= NEW.at_ms AND p.session_key = NEW.session_key)
  FROM stats_search_values v WHERE v.seq = NEW.seq
    AND NEW.event = 'Products Searched';
  UPDATE stats_searches SET clicked = 1
  WHERE NEW.event IN ('Product Viewed', 'Product Clicked') AND write_key = NEW.write_key AND session_key = NEW.session_key AND clicked = 0
    AND at_ms = (SELECT MAX(at_ms) FROM stats_searches WHERE write_key = NEW.write_key AND session_key = NEW.session_key AND at_ms <= NEW.at_ms);

  -- Orders and what they are worth.
  INSERT OR IGNORE INTO stats_orders (write_key, message_id, profile_id, session_key, at_ms, currency, value)
  SELECT NEW.write_key, NEW.message_id, NEW.profile_id, NEW.session_key, NEW.at_ms, o.currency, o.value
  FROM stats_order_values o WHERE o.seq = NEW.seq AND NEW.event = 'Order Completed';
  INSERT INTO stats_region_sales (write_key, day, country, region, product_id, currency, category, units, sales)
  SELECT NEW.write_key, NEW.at_ms / 86400000, NEW.country, NEW.region, i.product_id, i.currency, i.category, i.quantity, i.sales
  FROM stats_order_items i WHERE i.seq = NEW.seq AND NEW.event = 'Order Completed'
  ON CONFLICT (write_key, day, country, region, product_id, currency)
  DO UPDATE SET units = units + excluded.units, sales = sales + excluded.sales, category = COALESCE(excluded.category, category);

  -- Recommendation slots: sales credited to a click, and what exposed shoppers spent afterwards.
  INSERT INTO stats_slot_sales (write_key, day, slot, variant, currency, sales)
  SELECT NEW.write_key, NEW.at_ms / 86400000, c.slot, c.variant, c.currency, c.sales
  FROM stats_slot_credits c WHERE c.seq = NEW.seq AND NEW.event = 'Order Completed'
  ON CONFLICT (write_key, day, slot, variant, currency) DO UPDATE SET sales = sales + excluded.sales;
  UPDATE stats_exposures SET orders = orders + 1
  WHERE NEW.event = 'Order Completed' AND write_key = NEW.write_key AND profile_id = NEW.profile_id AND first_exposed <= NEW.at;
  INSERT INTO stats_exposure_revenue (write_key, slot, variant, profile_id, currency, revenue)
  SELECT x.write_key, x.slot, x.variant, x.profile_id, o.currency, o.value
  FROM stats_exposures x, stats_order_values o
  WHERE NEW.event = 'Order Completed' AND o.seq = NEW.seq AND x.write_key = NEW.write_key AND x.profile_id = NEW.profile_id AND x.first_exposed <= NEW.at
  ON CONFLICT (write_key, slot, variant, profile_id, currency) DO UPDATE SET revenue = revenue + excluded.revenue;

  DELETE FROM stats_feed WHERE rowid = NEW.rowid;
END;


CREATE TRIGGER stats_feed_from_events AFTER INSERT ON events WHEN NEW.bot = 0
BEGIN
  INSERT INTO stats_feed SELECT * FROM stats_feed_source WHERE seq = NEW.seq;
END;

CREATE TABLE stats_erase_feed (write_key TEXT NOT NULL, profile_id TEXT NOT NULL);

-- Erasure takes a person out of everything above (a retention sweep does not:
-- the figures keep what expired from the log).
CREATE TRIGGER stats_feed_erase BEFORE DELETE ON events
WHEN OLD.bot = 0 AND NOT EXISTS (SELECT 1 FROM retention_sweep WHERE write_key = OLD.write_key)
BEGIN
  UPDATE stats_region_sales SET
    units = units - (SELECT SUM(i.quantity) FROM stats_order_items i
                     WHERE i.seq = OLD.seq AND i.product_id = stats_region_sales.product_id AND i.currency = stats_region_sales.currency),
    sales = sales - (SELECT SUM(i.sales) FROM stats_order_items i
                     WHERE i.seq = OLD.seq AND i.product_id = stats_region_sales.product_id AND i.currency = stats_region_sales.currency)
  WHERE OLD.event = 'Order Completed' AND write_key = OLD.write_key
    AND day = CAST(round((julianday(OLD.timestamp) - 2440587.5) * 86400000) AS INTEGER) / 86400000
    AND country = COALESCE(OLD.country, '') AND region = COALESCE(OLD.region, '')
    AND (product_id, currency) IN (SELECT product_id, currency FROM stats_order_items WHERE seq = OLD.seq);
  UPDATE stats_slot_sales SET
    sales = sales - (SELECT SUM(c.sales) FROM stats_slot_credits c
                     WHERE c.seq = OLD.seq AND c.slot = stats_slot_sales.slot AND c.variant = stats_slot_sales.variant AND c.currency = stats_slot_sales.currency)
  WHERE OLD.event = 'Order Completed' AND write_key = OLD.write_key
    AND day = CAST(round((julianday(OLD.timestamp) - 2440587.5) * 86400000) AS INTEGER) / 86400000
    AND (slot, variant, currency) IN (SELECT slot, variant, currency FROM stats_slot_credits WHERE seq = OLD.seq);
  INSERT INTO stats_erase_feed (write_key, profile_id)
  SELECT OLD.write_key, OLD.profile_id
  UNION SELECT OLD.write_key, to_profile FROM profile_merges WHERE write_key = OLD.write_key AND from_profile = OLD.profile_id;
END;

CREATE TRIGGER stats_erase_person AFTER INSERT ON stats_erase_feed
BEGIN
  DELETE FROM stats_people WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_person_ids WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_person_steps WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_person_days WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_sessions WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_orders WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_searches WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_exposure_revenue WHERE write_key = NEW.write_key AND profile_id = NEW.profile_id;
  DELETE FROM stats_erase_feed WHERE rowid = NEW.rowid;
END;

-- A merge moves the joined profile's rows to the one it joined.
CREATE TABLE stats_merge_feed (write_key TEXT NOT NULL, from_profile TEXT NOT NULL, to_profile TEXT NOT NULL);
CREATE TRIGGER stats_merge_person AFTER INSERT ON stats_merge_feed WHEN NEW.from_profile <> NEW.to_profile
BEGIN
  INSERT INTO stats_people (write_key, profile_id, first_ms, last_ms, user_id, country, region, device)
  SELECT write_key, NEW.to_profile, first_ms, last_ms, user_id, country, region, device
  FROM stats_people WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile
  ON CONFLICT (write_key, profile_id) DO UPDATE SET
    first_ms = MIN(first_ms, excluded.first_ms),
    last_ms = MAX(last_ms, excluded.last_ms),
    user_id = COALESCE(user_id, excluded.user_id),
    country = CASE WHEN excluded.last_ms > last_ms THEN excluded.country ELSE country END,
    region = CASE WHEN excluded.last_ms > last_ms THEN excluded.region ELSE region END,
    device = CASE WHEN excluded.last_ms > last_ms THEN excluded.device ELSE device END;
  DELETE FROM stats_people WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  INSERT OR IGNORE INTO stats_person_ids (write_key, profile_id, kind, id)
  SELECT write_key, NEW.to_profile, kind, id FROM stats_person_ids WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  DELETE FROM stats_person_ids WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  INSERT INTO stats_person_steps (write_key, profile_id, step, hour, first_ms, last_ms, n, session_key)
  SELECT write_key, NEW.to_profile, step, hour, first_ms, last_ms, n, session_key
  FROM stats_person_steps WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile
  ON CONFLICT (write_key, profile_id, step, hour) DO UPDATE SET
    first_ms = MIN(first_ms, excluded.first_ms),
    last_ms = MAX(last_ms, excluded.last_ms),
    n = n + excluded.n,
    session_key = CASE WHEN excluded.first_ms < first_ms THEN excluded.session_key ELSE session_key END;
  DELETE FROM stats_person_steps WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  INSERT OR IGNORE INTO stats_person_days (write_key, profile_id, day)
  SELECT write_key, NEW.to_profile, day FROM stats_person_days WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  DELETE FROM stats_person_days WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  UPDATE stats_sessions SET profile_id = NEW.to_profile WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  UPDATE stats_orders SET profile_id = NEW.to_profile WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  UPDATE stats_searches SET profile_id = NEW.to_profile WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  -- Exposed once is exposed: the earliest exposure of either profile counts, with both profiles' orders.
  INSERT INTO stats_exposures (write_key, slot, variant, profile_id, first_exposed, orders, revenue)
  SELECT write_key, slot, variant, NEW.to_profile, first_exposed, orders, revenue
  FROM stats_exposures WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile
  ON CONFLICT (write_key, slot, variant, profile_id) DO UPDATE SET
    first_exposed = MIN(first_exposed, excluded.first_exposed), orders = orders + excluded.orders, revenue = revenue + excluded.revenue;
  DELETE FROM stats_exposures WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  INSERT INTO stats_exposure_revenue (write_key, slot, variant, profile_id, currency, revenue)
  SELECT write_key, slot, variant, NEW.to_profile, currency, revenue
  FROM stats_exposure_revenue WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile
  ON CONFLICT (write_key, slot, variant, profile_id, currency) DO UPDATE SET revenue = revenue + excluded.revenue;
  DELETE FROM stats_exposure_revenue WHERE write_key = NEW.write_key AND profile_id = NEW.from_profile;
  DELETE FROM stats_merge_feed WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER stats_merge_recorded AFTER INSERT ON profile_merges
BEGIN
  INSERT INTO stats_merge_feed (write_key, from_profile, to_profile) VALUES (NEW.write_key, NEW.from_profile, NEW.to_profile);
END;
CREATE TRIGGER stats_merge_moved AFTER UPDATE OF to_profile ON profile_merges
BEGIN
  INSERT INTO stats_merge_feed (write_key, from_profile, to_profile) VALUES (NEW.write_key, NEW.from_profile, NEW.to_profile);
END;

-- The order figures move from 0005's triggers to the feed (per currency).
DROP TRIGGER stats_order_products;
DROP TRIGGER stats_order_unproducts;
DROP TRIGGER stats_exposure_order;

-- Count what is already stored: exposures keyed by the person they belong to
-- now, their orders recounted, then every stored event through the feed.
UPDATE stats_exposures SET orders = 0, revenue = 0;
INSERT INTO stats_merge_feed (write_key, from_profile, to_profile) SELECT write_key, from_profile, to_profile FROM profile_merges;
INSERT INTO stats_feed SELECT * FROM stats_feed_source ORDER BY seq;
