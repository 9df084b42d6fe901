-- Orders counted once per order_id (Segment's Order Completed: order_id is
-- the order's key). The same order sent by the browser tag and by the shop's
-- server arrives as two messages with two messageIds; ShopState, which
-- applies a site's events one at a time in drain order, counts the first
-- and marks the later ones `repeated_order = 1`. Such a row stays in the log
-- and the export as received, and the statistics read it as an event with
-- no order in it: no order, revenue, item sales or funnel step (the feed
-- passes it with no event name and no step), and erasing it takes none of
-- those away. Rows stored before this migration count as they did.
ALTER TABLE events ADD COLUMN repeated_order INTEGER NOT NULL DEFAULT 0;

DROP VIEW stats_feed_source;
CREATE VIEW stats_feed_source AS
SELECT e.seq, e.write_key, e.message_id, e.type, CASE WHEN e.repeated_order = 0 THEN e.event END AS event,
       CASE WHEN e.repeated_order <> 0 THEN NULL
            WHEN e.type IN ('page', 'screen') THEN '$page'
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

-- Erasing a repeated order takes back no item sales: it added none.
DROP TRIGGER stats_feed_erase;
CREATE TRIGGER stats_feed_erase BEFORE DELETE ON events
WHEN OLD.bot = 0 AND NOT EXISTS (SELECT 1 FROM retention_sweep WHERE write_key = OLD.write_key)
BEGIN
  UPDATE stats_region_sales SET
    units = units - (SELECT SUM(i.quantity) FROM stats_order_items i
                     WHERE i.seq = OLD.seq AND i.product_id = stats_region_sales.product_id AND i.currency = stats_region_sales.currency),
    sales = sales - (SELECT SUM(i.sales) FROM stats_order_items i
                     WHERE i.seq = OLD.seq AND i.product_id = stats_region_sales.product_id AND i.currency = stats_region_sales.currency)
  WHERE OLD.event = 'Order Completed' AND OLD.repeated_order = 0 AND write_key = OLD.write_key
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
