-- How the default funnel (Product Viewed → Product Added → Checkout Started
-- → Order Completed, window one day) ran for each person from each day's
-- first Product Viewed, kept as stats_person_steps changes.
--
-- A funnel query follows each person from their first step-1 of the period
-- (t1) through the later steps, reading stats_person_steps (funnel.ts).
-- That walk depends on nothing but t1 and the person's step rows, so it can
-- be taken ahead of time for every t1 a period can start from: a person's
-- first step-1 of a period is the first of some UTC day, except on the day
-- the period starts in when it starts within that day (the query walks
-- those few people as before). At a million events the 30-day funnel
-- followed ~15,000 people a step at a time, for the period and again for
-- the period before; with these rows it reads one range of days instead.
--
-- A row per person and day with a Product Viewed:
--   t1           the day's first Product Viewed (ms since 1970)
--   session_key  the visit of that event (filters and breakdowns read it)
--   prev_day     the person's last earlier day with a Product Viewed (null:
--                none), so a row says by itself whether it is a person's
--                first in a period that starts after prev_day
--   t2, t3, t4   when the walk from t1 took the next step (exactly as
--                funnel.ts takes it, with a window of one day); null when
--                the step before was not reached in the window
-- A step row at hour h belongs to the walks of the days whose window
-- reaches h: its own day and the day before.
CREATE TABLE stats_funnel_days (
  write_key   TEXT NOT NULL,
  day         INTEGER NOT NULL,
  profile_id  TEXT NOT NULL,
  t1          INTEGER NOT NULL,
  session_key TEXT NOT NULL,
  prev_day    INTEGER,
  t2          INTEGER,
  t3          INTEGER,
  t4          INTEGER,
  PRIMARY KEY (write_key, day, profile_id)
) WITHOUT ROWID;

-- A change of the person's step `k` (1–4) rows at `hour`: the rows it
-- touches are taken again from stats_person_steps (and the request leaves
-- the table at once). Merges and erasure move and delete step rows, so they
-- pass through here too.
CREATE TABLE stats_funnel_redo (write_key TEXT NOT NULL, profile_id TEXT NOT NULL, hour INTEGER NOT NULL, k INTEGER NOT NULL);

CREATE TRIGGER stats_funnel_redo_day AFTER INSERT ON stats_funnel_redo
BEGIN
  -- Step 1: the day's row follows its first Product Viewed, or goes with the last one.
  DELETE FROM stats_funnel_days
  WHERE NEW.k = 1 AND write_key = NEW.write_key AND day = NEW.hour / 24 AND profile_id = NEW.profile_id
    AND NOT EXISTS (SELECT 1 FROM stats_person_steps s
                    WHERE s.write_key = NEW.write_key AND s.profile_id = NEW.profile_id AND s.step = 'Product Viewed'
                      AND s.hour >= NEW.hour / 24 * 24 AND s.hour < NEW.hour / 24 * 24 + 24);
  INSERT INTO stats_funnel_days (write_key, day, profile_id, t1, session_key, prev_day)
  SELECT NEW.write_key, NEW.hour / 24, NEW.profile_id, MIN(s.first_ms), s.session_key,
         (SELECT MAX(b.hour) / 24 FROM stats_person_steps b
          WHERE b.write_key = NEW.write_key AND b.profile_id = NEW.profile_id AND b.step = 'Product Viewed' AND b.hour < NEW.hour / 24 * 24)
  FROM stats_person_steps s
  WHERE NEW.k = 1 AND s.write_key = NEW.write_key AND s.profile_id = NEW.profile_id AND s.step = 'Product Viewed'
    AND s.hour >= NEW.hour / 24 * 24 AND s.hour < NEW.hour / 24 * 24 + 24
  HAVING COUNT(*) > 0
  ON CONFLICT (write_key, day, profile_id) DO UPDATE SET
    t1 = excluded.t1, session_key = excluded.session_key, prev_day = excluded.prev_day;
  -- The person's next day with a Product Viewed: its previous day may have come or gone.
  UPDATE stats_funnel_days SET prev_day = (
    SELECT MAX(b.hour) / 24 FROM stats_person_steps b
    WHERE b.write_key = NEW.write_key AND b.profile_id = NEW.profile_id AND b.step = 'Product Viewed' AND b.hour < stats_funnel_days.day * 24)
  WHERE NEW.k = 1 AND write_key = NEW.write_key AND profile_id = NEW.profile_id
    AND day = (SELECT MIN(n.hour) / 24 FROM stats_person_steps n
               WHERE n.write_key = NEW.write_key AND n.profile_id = NEW.profile_id AND n.step = 'Product Viewed'
                 AND n.hour >= NEW.hour / 24 * 24 + 24);

  -- The walk from t1, from step k on, for the rows whose window reaches the changed hour
  -- (a new t1 on its own day: the whole walk). Each step starts where the one before was taken.
  UPDATE stats_funnel_days SET t2 = (
    SELECT MIN(CASE WHEN x.first_ms >= stats_funnel_days.t1 THEN x.first_ms ELSE x.last_ms END) FROM stats_person_steps x
    WHERE x.write_key = NEW.write_key AND x.profile_id = NEW.profile_id AND x.step = 'Product Added'
      AND x.hour >= stats_funnel_days.t1 / 3600000 AND x.hour <= (stats_funnel_days.t1 + 86400000) / 3600000 AND x.last_ms >= stats_funnel_days.t1)
  WHERE NEW.k <= 2 AND write_key = NEW.write_key AND day IN (NEW.hour / 24 - (NEW.k > 1), NEW.hour / 24) AND profile_id = NEW.profile_id
    AND (NEW.k = 1 OR (t1 / 3600000 <= NEW.hour AND (t1 + 86400000) / 3600000 >= NEW.hour));
  UPDATE stats_funnel_days SET t3 = CASE WHEN t2 <= t1 + 86400000 THEN (
    SELECT MIN(CASE WHEN x.first_ms >= stats_funnel_days.t2 THEN x.first_ms ELSE x.last_ms END) FROM stats_person_steps x
    WHERE x.write_key = NEW.write_key AND x.profile_id = NEW.profile_id AND x.step = 'Checkout Started'
      AND x.hour >= stats_funnel_days.t2 / 3600000 AND x.hour <= (stats_funnel_days.t1 + 86400000) / 3600000 AND x.last_ms >= stats_funnel_days.t2) END
  WHERE NEW.k <= 3 AND write_key = NEW.write_key AND day IN (NEW.hour / 24 - (NEW.k > 1), NEW.hour / 24) AND profile_id = NEW.profile_id
    AND (NEW.k = 1 OR (t1 / 3600000 <= NEW.hour AND (t1 + 86400000) / 3600000 >= NEW.hour));
  UPDATE stats_funnel_days SET t4 = CASE WHEN t3 <= t1 + 86400000 THEN (
    SELECT MIN(CASE WHEN x.first_ms >= stats_funnel_days.t3 THEN x.first_ms ELSE x.last_ms END) FROM stats_person_steps x
    WHERE x.write_key = NEW.write_key AND x.profile_id = NEW.profile_id AND x.step = 'Order Completed'
      AND x.hour >= stats_funnel_days.t3 / 3600000 AND x.hour <= (stats_funnel_days.t1 + 86400000) / 3600000 AND x.last_ms >= stats_funnel_days.t3) END
  WHERE write_key = NEW.write_key AND day IN (NEW.hour / 24 - (NEW.k > 1), NEW.hour / 24) AND profile_id = NEW.profile_id
    AND (NEW.k = 1 OR (t1 / 3600000 <= NEW.hour AND (t1 + 86400000) / 3600000 >= NEW.hour));
  DELETE FROM stats_funnel_redo WHERE rowid = NEW.rowid;
END;

-- What changes a row: a Product Viewed earlier than its day's t1 (or on a
-- day without one), any change of a later step's times, any step row gone.
-- A later Product Viewed on a day that has one already changes nothing.
CREATE TRIGGER stats_funnel_step_added AFTER INSERT ON stats_person_steps
WHEN NEW.step IN ('Product Added', 'Checkout Started', 'Order Completed')
  OR (NEW.step = 'Product Viewed' AND NOT EXISTS (
        SELECT 1 FROM stats_funnel_days d WHERE d.write_key = NEW.write_key AND d.day = NEW.hour / 24 AND d.profile_id = NEW.profile_id AND d.t1 <= NEW.first_ms))
BEGIN
  INSERT INTO stats_funnel_redo (write_key, profile_id, hour, k)
  VALUES (NEW.write_key, NEW.profile_id, NEW.hour,
          CASE NEW.step WHEN 'Product Viewed' THEN 1 WHEN 'Product Added' THEN 2 WHEN 'Checkout Started' THEN 3 ELSE 4 END);
END;

CREATE TRIGGER stats_funnel_step_changed AFTER UPDATE ON stats_person_steps
WHEN (NEW.step IN ('Product Added', 'Checkout Started', 'Order Completed') AND (NEW.first_ms <> OLD.first_ms OR NEW.last_ms <> OLD.last_ms))
  OR (NEW.step = 'Product Viewed' AND NEW.first_ms < OLD.first_ms AND NOT EXISTS (
        SELECT 1 FROM stats_funnel_days d WHERE d.write_key = NEW.write_key AND d.day = NEW.hour / 24 AND d.profile_id = NEW.profile_id AND d.t1 <= NEW.first_ms))
BEGIN
  INSERT INTO stats_funnel_redo (write_key, profile_id, hour, k)
  VALUES (NEW.write_key, NEW.profile_id, NEW.hour,
          CASE NEW.step WHEN 'Product Viewed' THEN 1 WHEN 'Product Added' THEN 2 WHEN 'Checkout Started' THEN 3 ELSE 4 END);
END;

CREATE TRIGGER stats_funnel_step_removed AFTER DELETE ON stats_person_steps
WHEN OLD.step IN ('Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed')
BEGIN
  INSERT INTO stats_funnel_redo (write_key, profile_id, hour, k)
  VALUES (OLD.write_key, OLD.profile_id, OLD.hour,
          CASE OLD.step WHEN 'Product Viewed' THEN 1 WHEN 'Product Added' THEN 2 WHEN 'Checkout Started' THEN 3 ELSE 4 END);
END;

-- The rows of what is stored already: each person's days with a Product Viewed.
INSERT INTO stats_funnel_redo (write_key, profile_id, hour, k)
SELECT write_key, profile_id, MIN(hour), 1 FROM stats_person_steps WHERE step = 'Product Viewed' GROUP BY write_key, profile_id, hour / 24;
