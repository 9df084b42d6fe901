-- Static audiences: an audience may be a list of people (profile ids) kept
-- from a funnel step, a lifecycle list or an upload, instead of conditions.
-- The list itself lives only as memberships on the profile hosts, so erasing
-- a person removes them from it with nothing left here.
ALTER TABLE audiences ADD COLUMN kind TEXT NOT NULL DEFAULT 'live';  -- live | static (definition 'null')
ALTER TABLE audiences ADD COLUMN description TEXT;                   -- what a static list was kept from, in words
