/**
 * CORS for the ingest, config and recommendation paths. A preflight carries no
 * write key, so it is answered for any origin that some site allows; the real
 * request is then checked against its own site (403 otherwise). Other origins
 * get no CORS grant for anything the collector answers successfully.
 *
 * A refusal (any 4xx: unknown write key, origin not allowed, bad body) is
 * readable by the page that caused it, without credentials: its body is the
 * error message alone, and without the grant the page would see only an
 * opaque network error, so a site owner could not learn what to fix and the
 * tag could not tell a refusal from an outage (and would retry for ever).
 */
import type { MiddlewareHandler } from 'hono';
import { ACK_HEADER } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { originAllowed } from '../sites/origins';
import { allAllowedOrigins } from '../sites/site-directory';

/**
 * Headers always allowed: what Segment, RudderStack and our tag send. Peers
 * add retry bookkeeping headers (X-Retry-Count, Rsa-Retry-*), so for an
 * allowed origin whatever it asks for is granted too.
 */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'content-encoding', 'anonymousid', 'sentat', 'x-write-key'];
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

export function ingestCors(): MiddlewareHandler<AppEnv> {
  return async function ingestCors(c, next) {
    const origin = c.req.header('origin');
    // Server-side senders send no Origin: nothing to grant, nothing to look up.
    const granted = async () => origin !== undefined && originAllowed(origin, await allAllowedOrigins(c.env));

    if (c.req.method === 'OPTIONS') {
      if (!(await granted())) {
        return c.json({ ok: false, error: 'origin_not_allowed', message: `Origin ${origin ?? '(none)'} is not allowed by any site.` }, 403);
      }
      const requested = (c.req.header('access-control-request-headers') ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean);
      const headers = [...new Set([...ALLOWED_HEADERS, ...requested.filter((h) => HEADER_NAME.test(h))])];
      return new Response(null, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': origin!,
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
          'Access-Control-Allow-Headers': headers.join(', '),
          'Access-Control-Max-Age': '86400',
          Vary: 'Origin, Access-Control-Request-Headers',
        },
      });
    }

    await next();
    c.res.headers.append('Vary', 'Origin');
    if (origin === undefined) return;
    // A 403 means this request's own site refused the origin: no grant then, only the refusal.
    if (c.res.status !== 403 && (await granted())) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Allow-Credentials', 'true');
      c.res.headers.set('Access-Control-Expose-Headers', `Retry-After, ${ACK_HEADER}`);
    } else if (c.res.status >= 400 && c.res.status < 500) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.delete('Access-Control-Allow-Credentials');
    }
  };
}
