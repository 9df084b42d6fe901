-- Statistics for the dashboard (GET /v1/admin/stats), kept by triggers on the
-- event log: they change in the same transaction as the events they count, so
-- the figures always equal counts over the stored events, and a query reads
-- aggregates whose size depends on the time range, not on the number of events.
-- Bot traffic is stored but never counted.
--
-- Deleting events (an erasure) takes them back out of the figures. A
-- retention sweep (events older than EVENT_RETENTION_DAYS leave D1; the R2
-- archive keeps them) marks itself in retention_sweep for the duration of its
-- transaction, so the figures keep what expired.
CREATE TABLE retention_sweep (
  write_key TEXT PRIMARY KEY
);

-- Events by hour, type and name.
CREATE TABLE stats_hourly (
  write_key TEXT NOT NULL,
  hour      TEXT NOT NULL,            -- 'YYYY-MM-DDTHH' of the event's timestamp (UTC)
  type      TEXT NOT NULL,
  event     TEXT NOT NULL DEFAULT '', -- track: event name; page/screen: ''
  count     INTEGER NOT NULL,
  PRIMARY KEY (write_key, hour, type, event)
) WITHOUT ROWID;

-- Product views, orders and revenue by day, region and product.
CREATE TABLE stats_region_products (
  write_key  TEXT NOT NULL,
  day        TEXT NOT NULL,
  country    TEXT NOT NULL,
  region     TEXT NOT NULL,
  product_id TEXT NOT NULL,
  category   TEXT,
  views      INTEGER NOT NULL DEFAULT 0,
  units      INTEGER NOT NULL DEFAULT 0,
  revenue    REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, day, country, region, product_id)
) WITHOUT ROWID;

-- Recommendation slots by day, slot and variant: impressions and clicks, and
-- the adds and orders credited to a click (context.attribution).
CREATE TABLE stats_slots (
  write_key   TEXT NOT NULL,
  day         TEXT NOT NULL,
  slot        TEXT NOT NULL,
  variant     TEXT NOT NULL,
  impressions INTEGER NOT NULL DEFAULT 0,
  clicks      INTEGER NOT NULL DEFAULT 0,
  adds        INTEGER NOT NULL DEFAULT 0,
  orders      INTEGER NOT NULL DEFAULT 0,
  revenue     REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, day, slot, variant)
) WITHOUT ROWID;

-- Shoppers exposed to a slot (first viewable impression) and what they
-- bought afterwards: conversion and revenue per visitor by variant, for the
-- lift of treatment over control.
CREATE TABLE stats_exposures (
  write_key     TEXT NOT NULL,
  slot          TEXT NOT NULL,
  variant       TEXT NOT NULL,
  profile_id    TEXT NOT NULL,
  first_exposed TEXT NOT NULL,
  orders        INTEGER NOT NULL DEFAULT 0,
  revenue       REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (write_key, slot, variant, profile_id)
) WITHOUT ROWID;
CREATE INDEX stats_exposures_by_profile ON stats_exposures (write_key, profile_id);

CREATE TRIGGER stats_count_event AFTER INSERT ON events WHEN NEW.bot = 0
BEGIN
  INSERT INTO stats_hourly (write_key, hour, type, event, count)
  VALUES (NEW.write_key, substr(NEW.timestamp, 1, 13), NEW.type, CASE WHEN NEW.type = 'track' THEN COALESCE(NEW.event, '') ELSE '' END, 1)
  ON CONFLICT (write_key, hour, type, event) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER stats_uncount_event AFTER DELETE ON events
WHEN OLD.bot = 0 AND NOT EXISTS (SELECT 1 FROM retention_sweep WHERE write_key = OLD.write_key)
BEGIN
  UPDATE stats_hourly SET count = count - 1
  WHERE write_key = OLD.write_key AND hour = substr(OLD.timestamp, 1, 13) AND type = OLD.type
    AND event = CASE WHEN OLD.type = 'track' THEN COALESCE(OLD.event, '') ELSE '' END;
END;

CREATE TRIGGER stats_product_view AFTER INSERT ON events
WHEN NEW.bot = 0 AND NEW.type = 'track' AND NEW.event = 'Product Viewed' AND json_extract(NEW.body, '$.properties.product_id') IS NOT NULL
BEGIN
  INSERT INTO stats_region_products (write_key, day, country, region, product_id, category, views)
  VALUES (NEW.write_key, substr(NEW.timestamp, 1, 10), COALESCE(NEW.country, ''), COALESCE(NEW.region, ''),
          CAST(json_extract(NEW.body, '$.properties.product_id') AS TEXT), json_extract(NEW.body, '$.properties.category'), 1)
  ON CONFLICT (write_key, day, country, region, product_id)
  DO UPDATE SET views = views + 1, category = COALESCE(excluded.category, category);
END;

CREATE TRIGGER stats_product_unview AFTER DELETE ON events
WHEN OLD.bot = 0 AND OLD.type = 'track' AND OLD.event = 'Product Viewed' AND json_extract(OLD.body, '$.properties.product_id') IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM retention_sweep WHERE write_key = OLD.write_key)
BEGIN
  UPDATE stats_region_products SET views = views - 1
  WHERE write_key = OLD.write_key AND day = substr(OLD.timestamp, 1, 10) AND country = COALESCE(OLD.country, '')
    AND region = COALESCE(OLD.region, '') AND product_id = CAST(json_extract(OLD.body, '$.properties.product_id') AS TEXT);
END;

CREATE TRIGGER stats_order_products AFTER INSERT ON events
WHEN NEW.bot = 0 AND NEW.type = 'track' AND NEW.event = 'Order Completed'
BEGIN
  INSERT INTO stats_region_products (write_key, day, country, region, product_id, category, units, revenue)
  SELECT NEW.write_key, substr(NEW.timestamp, 1, 10), COALESCE(NEW.country, ''), COALESCE(NEW.region, ''),
         CAST(json_extract(p.value, '$.product_id') AS TEXT), json_extract(p.value, '$.category'),
         COALESCE(json_extract(p.value, '$.quantity'), 1),
         COALESCE(json_extract(p.value, '$.price'), 0) * COALESCE(json_extract(p.value, '$.quantity'), 1)
  FROM json_each(NEW.body, '$.properties.products') AS p
  WHERE json_extract(p.value, '$.product_id') IS NOT NULL
  ON CONFLICT (write_key, day, country, region, product_id)
  DO UPDATE SET units = units + excluded.units, revenue = revenue + excluded.revenue, category = COALESCE(excluded.category, category);
END;

CREATE TRIGGER stats_order_unproducts AFTER DELETE ON events
WHEN OLD.bot = 0 AND OLD.type = 'track' AND OLD.event = 'Order Completed'
  AND NOT EXISTS (SELECT 1 FROM retention_sweep WHERE write_key = OLD.write_key)
BEGIN
  UPDATE stats_region_products SET
    units = units - COALESCE((SELECT SUM(COALESCE(json_extract(p.value, '$.quantity'), 1)) FROM json_each(OLD.body, '$.properties.products') AS p
                              WHERE CAST(json_extract(p.value, '$.product_id') AS TEXT) = stats_region_products.product_id), 0),
    revenue = revenue - COALESCE((SELECT SUM(COALESCE(json_extract(p.value, '$.price'), 0) * COALESCE(json_extract(p.value, '$.quantity'), 1))
                                  FROM json_each(OLD.body, '$.properties.products') AS p
                                  WHERE CAST(json_extract(p.value, '$.product_id') AS TEXT) = stats_region_products.product_id), 0)
  WHERE write_key = OLD.write_key AND day = substr(OLD.timestamp, 1, 10) AND country = COALESCE(OLD.country, '') AND region = COALESCE(OLD.region, '')
    AND product_id IN (SELECT CAST(json_extract(p.value, '$.product_id') AS TEXT) FROM json_each(OLD.body, '$.properties.products') AS p);
END;

CREATE TRIGGER stats_slot_impression AFTER INSERT ON events
WHEN NEW.bot = 0 AND NEW.type = 'track' AND NEW.event IN ('Recommendation Viewed', 'Recommendation Clicked')
  AND json_extract(NEW.body, '$.properties.slot') IS NOT NULL
BEGIN
  INSERT INTO stats_slots (write_key, day, slot, variant, impressions, clicks)
  VALUES (NEW.write_key, substr(NEW.timestamp, 1, 10), json_extract(NEW.body, '$.properties.slot'),
          COALESCE(json_extract(NEW.body, '$.properties.variant'), 'treatment'),
          NEW.event = 'Recommendation Viewed', NEW.event = 'Recommendation Clicked')
  ON CONFLICT (write_key, day, slot, variant)
  DO UPDATE SET impressions = impressions + excluded.impressions, clicks = clicks + excluded.clicks;
  INSERT OR IGNORE INTO stats_exposures (write_key, slot, variant, profile_id, first_exposed)
  SELECT NEW.write_key, json_extract(NEW.body, '$.properties.slot'), COALESCE(json_extract(NEW.body, '$.properties.variant'), 'treatment'),
         NEW.profile_id, NEW.timestamp
  WHERE NEW.event = 'Recommendation Viewed';
END;

CREATE TRIGGER stats_slot_unimpression AFTER DELETE ON events
WHEN OLD.bot = 0 AND OLD.type = 'track' AND OLD.event IN ('Recommendation Viewed', 'Recommendation Clicked')
  AND json_extract(OLD.body, '$.properties.slot') IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM retention_sweep WHERE write_key = OLD.write_key)
BEGIN
  UPDATE stats_slots SET impressions = impressions - (OLD.event = 'Recommendation Viewed'), clicks = clicks - (OLD.event = 'Recommendation Clicked')
  WHERE write_key = OLD.write_key AND day = substr(OLD.timestamp, 1, 10) AND slot = json_extract(OLD.body, '$.properties.slot')
    AND variant = COALESCE(json_extract(OLD.body, '$.properties.variant'), 'treatment');
END;

-- Adds and orders credited to a recommendation click.
CREATE TRIGGER stats_slot_credit AFTER INSERT ON events
WHEN NEW.bot = 0 AND NEW.type = 'track' AND NEW.event IN ('Product Added', 'Order Completed')
  AND json_extract(NEW.body, '$.context.attribution') IS NOT NULL
BEGIN
  INSERT INTO stats_slots (write_key, day, slot, variant, adds, orders, revenue)
  SELECT NEW.write_key, substr(NEW.timestamp, 1, 10), json_extract(a.value, '$.slot'), json_extract(a.value, '$.variant'),
         NEW.event = 'Product Added', NEW.event = 'Order Completed',
         CASE WHEN NEW.event = 'Order Completed' THEN COALESCE((
           SELECT SUM(COALESCE(json_extract(p.value, '$.price'), 0) * COALESCE(json_extract(p.value, '$.quantity'), 1))
           FROM json_each(NEW.body, '$.properties.products') AS p
           WHERE CAST(json_extract(p.value, '$.product_id') AS TEXT) = json_extract(a.value, '$.productId')), 0) ELSE 0 END
  FROM json_each(NEW.body, '$.context.attribution') AS a
  WHERE true
  ON CONFLICT (write_key, day, slot, variant)
  DO UPDATE SET adds = adds + excluded.adds, orders = orders + excluded.orders, revenue = revenue + excluded.revenue;
END;

CREATE TRIGGER stats_slot_uncredit AFTER DELETE ON events
WHEN OLD.bot = 0 AND OLD.type = 'track' AND OLD.event IN ('Product Added', 'Order Completed')
  AND json_extract(OLD.body, '$.context.attribution') IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM retention_sweep WHERE write_key = OLD.write_key)
BEGIN
  UPDATE stats_slots SET
    adds = adds - (OLD.event = 'Product Added') * (SELECT COUNT(*) FROM json_each(OLD.body, '$.context.attribution') AS a
                                                   WHERE json_extract(a.value, '$.slot') = stats_slots.slot AND json_extract(a.value, '$.variant') = stats_slots.variant),
    orders = orders - (OLD.event = 'Order Completed') * (SELECT COUNT(*) FROM json_each(OLD.body, '$.context.attribution') AS a
                                                         WHERE json_extract(a.value, '$.slot') = stats_slots.slot AND json_extract(a.value, '$.variant') = stats_slots.variant),
    revenue = revenue - (OLD.event = 'Order Completed') * COALESCE((
      SELECT SUM(COALESCE(json_extract(p.value, '$.price'), 0) * COALESCE(json_extract(p.value, '$.quantity'), 1))
      FROM json_each(OLD.body, '$.context.attribution') AS a, json_each(OLD.body, '$.properties.products') AS p
      WHERE json_extract(a.value, '$.slot') = stats_slots.slot AND json_extract(a.value, '$.variant') = stats_slots.variant
        AND CAST(json_extract(p.value, '$.product_id') AS TEXT) = json_extract(a.value, '$.productId')), 0)
  WHERE write_key = OLD.write_key AND day = substr(OLD.timestamp, 1, 10);
END;

-- Orders after a shopper's first exposure count for every slot they were exposed to.
-- Exposures recorded under an anonymous profile that later joined this one count too.
CREATE TRIGGER stats_exposure_order AFTER INSERT ON events
WHEN NEW.bot = 0 AND NEW.type = 'track' AND NEW.event = 'Order Completed'
BEGIN
  UPDATE stats_exposures SET
    orders = orders + 1,
    revenue = revenue + COALESCE(json_extract(NEW.body, '$.properties.total'), json_extract(NEW.body, '$.properties.revenue'), (
      SELECT SUM(COALESCE(json_extract(p.value, '$.price'), 0) * COALESCE(json_extract(p.value, '$.quantity'), 1))
      FROM json_each(NEW.body, '$.properties.products') AS p), 0)
  WHERE write_key = NEW.write_key AND first_exposed <= NEW.timestamp
    AND (profile_id = NEW.profile_id
         OR profile_id IN (SELECT from_profile FROM profile_merges WHERE write_key = NEW.write_key AND to_profile = NEW.profile_id));
END;
