/**
 * The configuration documents peer clients fetch before they send anything,
 * answered so they deliver here unchanged: analytics-next's CDN settings and
 * RudderStack's source config.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env';
import { siteGate, type SiteGate } from '../http/site-gate';
import { writeKeyFromHeaders } from '../ingest/write-key';
import { rudderSourceConfig, segmentSettings } from './peer-config';

/** Asked once when a peer's client loads, and cached: not rate limited. */
const peerGate = (writeKey: SiteGate['writeKey']) =>
  siteGate({
    writeKey,
    missingKey: 'Give the write key (writeKey query parameter or Basic auth).',
    unknownKey: (key) => `Unknown write key "${key}".`,
    originRefused: (origin) => `Origin ${origin} may not use this site; add it to the site's allowed origins.`,
  });

export function peerConfigRoutes(basePath: string) {
  const app = new Hono<AppEnv>();

  app.get(
    '/v1/projects/:writeKey/settings',
    peerGate((c) => c.req.param('writeKey')),
    async (c) => {
      const { site } = c.var;
      const url = new URL(c.req.url);
      c.header('Cache-Control', 'public, max-age=60');
      return c.json(segmentSettings(site, `${url.host}${basePath}/v1`, url.protocol.replace(':', '')));
    },
  );

  const sourceConfigGate = peerGate((c) => c.req.query('writeKey') ?? writeKeyFromHeaders(c.req.raw));
  const sourceConfig = (c: Context<AppEnv>) => c.json(rudderSourceConfig(c.var.site));
  app.get('/sourceConfig/', sourceConfigGate, sourceConfig);
  app.get('/sourceConfig', sourceConfigGate, sourceConfig);

  return app;
}
