/**
 * The configuration documents peer clients fetch before they send anything,
 * answered so they deliver here unchanged: analytics-next's CDN settings and
 * RudderStack's source config.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError } from '../http/errors';
import { originAllowed } from '../sites/origins';
import { findSite } from '../sites/site-directory';
import type { Site } from '../sites/site';
import { writeKeyFromHeaders } from '../ingest/write-key';
import { rudderSourceConfig, segmentSettings } from './peer-config';

export function peerConfigRoutes(basePath: string) {
  const app = new Hono<AppEnv>();

  app.get('/v1/projects/:writeKey/settings', async (c) => {
    const site = await siteFor(c, c.req.param('writeKey'));
    const url = new URL(c.req.url);
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(segmentSettings(site, `${url.host}${basePath}/v1`, url.protocol.replace(':', '')));
  });

  app.get('/sourceConfig/', (c) => sourceConfig(c));
  app.get('/sourceConfig', (c) => sourceConfig(c));

  return app;
}

async function sourceConfig(c: Context<AppEnv>): Promise<Response> {
  const site = await siteFor(c, c.req.query('writeKey') ?? writeKeyFromHeaders(c.req.raw));
  return c.json(rudderSourceConfig(site));
}

async function siteFor(c: Context<AppEnv>, writeKey: string | undefined): Promise<Site> {
  if (!writeKey) throw new ApiError(401, 'missing_write_key', 'Give the write key (writeKey query parameter or Basic auth).');
  const site = await findSite(c.env, writeKey);
  if (!site) throw new ApiError(401, 'unknown_write_key', `Unknown write key "${writeKey.slice(0, 64)}".`);
  const origin = c.req.header('origin');
  if (origin && !originAllowed(origin, site.allowedOrigins)) {
    throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} may not use this site; add it to the site's allowed origins.`);
  }
  return site;
}
