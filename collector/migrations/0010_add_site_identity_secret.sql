-- Identity verification: each site's secret for userHash = hex(HMAC-SHA256(secret, userId)),
-- made when the admin API first shows the site (collector/src/identity/user-hash.ts).
ALTER TABLE sites ADD COLUMN identity_secret TEXT;
