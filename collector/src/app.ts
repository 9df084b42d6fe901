/**
 * The Worker's HTTP surface. Every route is served at the root and, when
 * BASE_PATH is set, under that prefix too: a shop can mount the collector on
 * its own origin under a neutral path (first-party serving).
 */
import { Hono } from 'hono';
import type { AppEnv } from './app-env';
import { adminRoutes } from './admin/admin-routes';
import { campaignRoutes } from './campaigns/campaign-routes';
import { audienceRoutes } from './audiences/audience-routes';
import { destinationRoutes } from './destinations/destination-routes';
import { devReceiverRoutes } from './destinations/dev-receiver-routes';
import { statsRoutes } from './admin/stats-routes';
import { ingestCors } from './http/cors';
import { demoUserHashRoutes } from './identity/demo-user-hash-routes';
import { ApiError, errorResponse, onError } from './http/errors';
import { ingestRoutes } from './ingest/ingest-routes';
import { peerConfigRoutes } from './peers/peer-config-routes';
import { ruleRoutes } from './merchandising/rule-routes';
import { recommendRoutes } from './recommend/recommend-routes';
import { tagSettingsRoutes } from './sites/tag-settings-routes';

/** Paths that exist for POST only: another method gets 405, not 404. */
const POST_ONLY = /^\/(v1\/(batch|b|import|track|t|page|p|screen|s|identify|i|group|g|alias|a)|beacon\/v1\/batch)$/;

export function normalizeBasePath(value: string | undefined): string {
  const trimmed = (value ?? '').trim().replace(/\/+$/, '');
  if (!trimmed) return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export function createApp(basePath: string) {
  const api = new Hono<AppEnv>();
  api.get('/healthz', (c) => c.text('ok'));
  const cors = ingestCors();
  api.use('*', (c, next) => (isPublicApi(c.req.path, basePath) ? cors(c, next) : next()));
  api.route('/', ingestRoutes());
  api.route('/', peerConfigRoutes(basePath));
  api.route('/', recommendRoutes());
  api.route('/', tagSettingsRoutes());
  api.route('/', audienceRoutes());
  api.route('/', destinationRoutes());
  api.route('/', ruleRoutes());
  api.route('/', campaignRoutes());
  api.route('/', adminRoutes());
  // Before the webhook receiver: its guard answers every other /dev/ path too.
  api.route('/', demoUserHashRoutes());
  api.route('/', devReceiverRoutes());
  api.route('/', statsRoutes());

  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.route('/', api);
  if (basePath) {
    app.route(basePath, api);
    // The tag and other static files under the prefix come from the same assets.
    app.get(`${basePath}/*`, (c) => {
      const url = new URL(c.req.url);
      url.pathname = url.pathname.slice(basePath.length) || '/';
      return c.env.ASSETS.fetch(new Request(url, c.req.raw));
    });
  }
  app.notFound((c) => {
    const path = basePath && c.req.path.startsWith(`${basePath}/`) ? c.req.path.slice(basePath.length) : c.req.path;
    if (POST_ONLY.test(path)) {
      return errorResponse(
        c,
        new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here; send events with POST.`, { Allow: 'POST, OPTIONS' }),
      );
    }
    return errorResponse(c, new ApiError(404, 'not_found', `No endpoint at ${c.req.method} ${c.req.path}; see the API reference in the README.`));
  });
  return app;
}

function isPublicApi(path: string, basePath: string): boolean {
  const local = basePath && path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : path;
  return (local.startsWith('/v1/') && !local.startsWith('/v1/admin/')) || local.startsWith('/sourceConfig') || local.startsWith('/beacon/');
}
