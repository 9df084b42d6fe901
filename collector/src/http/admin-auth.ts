import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';

/**
 * Admin endpoints need `Authorization: Bearer <ADMIN_TOKEN>`. With no token
 * configured they answer 503 and are never open. Tokens are compared through
 * their SHA-256 digests in constant time, so neither content nor length leaks.
 */
export function adminAuth<E extends { Bindings: Env } = { Bindings: Env }>(): MiddlewareHandler<E> {
  return async function adminAuth(c, next) {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected) {
      throw new ApiError(503, 'admin_disabled', 'No ADMIN_TOKEN is configured; set it with `wrangler secret put ADMIN_TOKEN`.');
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !(await sameSecret(match[1]!.trim(), expected))) {
      throw new ApiError(401, 'unauthorized', 'Send the admin token as `Authorization: Bearer <ADMIN_TOKEN>`.', {
        'WWW-Authenticate': 'Bearer realm="trailmark-admin"',
      });
    }
    await next();
  };
}

async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([crypto.subtle.digest('SHA-256', encoder.encode(given)), crypto.subtle.digest('SHA-256', encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}
