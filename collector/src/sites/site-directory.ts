/**
 * Looks sites up by write key. Sites change rarely and are read on every
 * request, so each isolate keeps them for a short while instead of asking D1.
 */
import { newIdentitySecret } from '../identity/user-hash';
import { DEMO_SITE, withDefaults, type Site, type SiteSettings } from './site';

const TTL_MS = 15_000;

interface SiteRow {
  write_key: string;
  name: string;
  allowed_origins: string;
  settings: string;
  identity_secret: string | null;
}

const COLUMNS = 'write_key, name, allowed_origins, settings, identity_secret';

let cache = new Map<string, { site: Site | null; expires: number }>();
let allOrigins: { patterns: string[]; expires: number } | null = null;

const fromRow = (row: SiteRow): Site => ({
  writeKey: row.write_key,
  name: row.name,
  allowedOrigins: JSON.parse(row.allowed_origins) as string[],
  settings: withDefaults(JSON.parse(row.settings) as Partial<SiteSettings>),
  ...(row.identity_secret ? { identitySecret: row.identity_secret } : {}),
});

const devMode = (env: Env) => env.DEV_MODE === 'true';

export async function findSite(env: Env, writeKey: string): Promise<Site | null> {
  const now = Date.now();
  const hit = cache.get(writeKey);
  if (hit && hit.expires > now) return hit.site;
  const row = await env.DB.prepare(`SELECT ${COLUMNS} FROM sites WHERE write_key = ?`).bind(writeKey).first<SiteRow>();
  const site = row ? fromRow(row) : devMode(env) && writeKey === DEMO_SITE.writeKey ? DEMO_SITE : null;
  if (cache.size > 10_000) cache = new Map();
  cache.set(writeKey, { site, expires: now + TTL_MS });
  return site;
}

/** Every origin pattern of every site: a CORS preflight carries no write key, so it is answered for any of them. */
export async function allAllowedOrigins(env: Env): Promise<string[]> {
  const now = Date.now();
  if (allOrigins && allOrigins.expires > now) return allOrigins.patterns;
  const { results } = await env.DB.prepare('SELECT allowed_origins FROM sites').all<{ allowed_origins: string }>();
  const patterns = new Set(results.flatMap((row) => JSON.parse(row.allowed_origins) as string[]));
  if (devMode(env)) DEMO_SITE.allowedOrigins.forEach((p) => patterns.add(p));
  allOrigins = { patterns: [...patterns], expires: now + TTL_MS };
  return allOrigins.patterns;
}

export async function listSites(env: Env): Promise<Site[]> {
  const { results } = await env.DB.prepare(`SELECT ${COLUMNS} FROM sites ORDER BY write_key`).all<SiteRow>();
  const sites = results.map(fromRow);
  if (devMode(env) && !sites.some((s) => s.writeKey === DEMO_SITE.writeKey)) sites.unshift(DEMO_SITE);
  return sites;
}

export async function saveSite(env: Env, site: Site): Promise<void> {
  const now = new Date().toISOString();
  await env.DB.prepare(
    `INSERT INTO sites (write_key, name, allowed_origins, settings, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
     ON CONFLICT (write_key) DO UPDATE SET name = ?2, allowed_origins = ?3, settings = ?4, updated_at = ?5`,
  )
    .bind(site.writeKey, site.name, JSON.stringify(site.allowedOrigins), JSON.stringify(site.settings), now)
    .run();
  forgetSites();
}

/**
 * The site's identity secret, made if it has none yet (a site from before
 * identity verification, or the demo site, which has no row until now).
 * Whoever asks first makes it; everyone gets the one stored.
 */
export async function identitySecretOf(env: Env, site: Site): Promise<string> {
  if (site.identitySecret) return site.identitySecret;
  const now = new Date().toISOString();
  const [, , row] = await env.DB.batch<{ identity_secret: string }>([
    env.DB.prepare(
      `INSERT INTO sites (write_key, name, allowed_origins, settings, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (write_key) DO NOTHING`,
    ).bind(site.writeKey, site.name, JSON.stringify(site.allowedOrigins), JSON.stringify(site.settings), now),
    env.DB.prepare('UPDATE sites SET identity_secret = ?1 WHERE write_key = ?2 AND identity_secret IS NULL').bind(newIdentitySecret(), site.writeKey),
    env.DB.prepare('SELECT identity_secret FROM sites WHERE write_key = ?').bind(site.writeKey),
  ]);
  forgetSites();
  return row!.results[0]!.identity_secret;
}

/** A new identity secret for the site: hashes made with the old one stop being valid (within the cache's 15 seconds everywhere). */
export async function rotateIdentitySecret(env: Env, writeKey: string): Promise<string> {
  const secret = newIdentitySecret();
  await env.DB.prepare('UPDATE sites SET identity_secret = ? WHERE write_key = ?').bind(secret, writeKey).run();
  forgetSites();
  return secret;
}

/** Drops this isolate's cache (after a change made here; other isolates catch up within the TTL). */
export function forgetSites(): void {
  cache = new Map();
  allOrigins = null;
}
