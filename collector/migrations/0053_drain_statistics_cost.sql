-- What a drained event costs D1, cut where it bought nothing (issue 17).
--
-- A visit's first event works out where the visit came from (0016,
-- stats_session_start): the landing row of stats_landing joined to the known
-- referrers by GLOB on the referring host. The view is flattened into that
-- join, so the host (several json_extract calls over the event's body and
-- string surgery on the URL) was computed again for each of the 24 known
-- referrers, twice: about 180 µs a visit, in the bench's one-visit requests
-- a quarter of D1's CPU per event. Read through a subquery with a LIMIT,
-- which SQLite does not flatten into a join, the landing row is computed
-- once and the join compares that one value. Same row, same statement
-- otherwise.
DROP TRIGGER stats_session_start;
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
  FROM (SELECT utm_source, utm_medium, utm_campaign, path, host, own_host FROM stats_landing WHERE seq = NEW.seq LIMIT 1) l
  LEFT JOIN stats_known_referrers k ON l.host GLOB k.pattern OR l.host GLOB '*.' || k.pattern
  WHERE true
  ORDER BY length(k.pattern) DESC LIMIT 1
  ON CONFLICT (write_key, session_key) DO UPDATE SET
    started_ms = excluded.started_ms, country = excluded.country, region = excluded.region, device = excluded.device,
    source = excluded.source, medium = excluded.medium, campaign = excluded.campaign,
    referrer_host = excluded.referrer_host, landing_path = excluded.landing_path;
  DELETE FROM stats_session_feed WHERE rowid = NEW.rowid;
END;

-- No statement reads the event log by anonymousId: erasure finds events by
-- profile (merged profiles included) and userId, the export and the live view
-- by sequence number, retention by time. The index was upkeep on every
-- stored event, at a random place in it (ids are random), for nothing.
DROP INDEX events_by_anonymous_id;
