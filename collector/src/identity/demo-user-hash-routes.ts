/**
 * Local development only (DEV_MODE): the demo shop's server side of identity
 * verification. A real shop computes userHash on its own server, which knows
 * who logged in; the demo storefront is static pages, so this route plays
 * that server for the demo site:
 *
 *   GET /dev/user-hash?userId=…   → { "userId": "…", "userHash": "<64 hex>" }
 *
 * The storefront asks it when a demo customer logs in and passes the hash
 * next to the user id. In production it does not exist (404).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError, badRequest } from '../http/errors';
import { DEMO_SITE } from '../sites/site';
import { findSite, identitySecretOf } from '../sites/site-directory';
import { userHashFor } from './user-hash';

export function demoUserHashRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/dev/user-hash', async (c) => {
    if (c.env.DEV_MODE !== 'true') throw new ApiError(404, 'not_found', 'The demo shop’s user hash exists only in local development (DEV_MODE).');
    const userId = c.req.query('userId')?.trim();
    if (!userId || userId.length > 256) throw badRequest('Name the demo customer who logged in: ?userId=… (at most 256 characters).', 'invalid_id');
    const site = (await findSite(c.env, DEMO_SITE.writeKey)) ?? DEMO_SITE;
    const userHash = await userHashFor(await identitySecretOf(c.env, site), userId);
    c.header('Cache-Control', 'private, no-store');
    return c.json({ userId, userHash });
  });
  return app;
}
