-- Indexes that answer the statistics queries by themselves. The tables of
-- 0016 are WITHOUT ROWID, keyed by write key first; without statistics
-- (ANALYZE) SQLite prefers scanning a whole site's rows by that key over a
-- secondary index whose rows must then be looked up in the table, so a
-- lookup of one session's orders, or one person's second order, read every
-- order of the site. Indexes that hold every column the query reads are
-- chosen, and read nothing else.
DROP INDEX stats_orders_by_session;
CREATE INDEX stats_orders_by_session ON stats_orders (write_key, session_key, currency, value);
DROP INDEX stats_orders_by_profile;
CREATE INDEX stats_orders_by_profile ON stats_orders (write_key, profile_id, at_ms);
DROP INDEX stats_orders_by_time;
CREATE INDEX stats_orders_by_time ON stats_orders (write_key, at_ms, profile_id, session_key, currency, value);
DROP INDEX stats_person_steps_by_step;
CREATE INDEX stats_person_steps_by_step ON stats_person_steps (write_key, step, hour, first_ms, session_key);
DROP INDEX stats_people_by_last;
CREATE INDEX stats_people_by_last ON stats_people (write_key, last_ms, first_ms);
DROP INDEX stats_searches_by_time;
CREATE INDEX stats_searches_by_time ON stats_searches (write_key, at_ms, query, result_count, clicked, profile_id, session_key);
