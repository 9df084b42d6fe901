/**
 * Product links (`url`, `image_url`) end up in `href` and `src` attributes on
 * the shop's pages, so what is stored must be safe there:
 *
 * - the shape (any source): a root-relative path (`/product/1`, never
 *   `//host` or `/\host`, which browsers read as another host), or an
 *   absolute http(s) URL without user name or password; no whitespace,
 *   control characters or backslashes anywhere (browsers strip or reinterpret
 *   them, which is how `java\tscript:` and `/\evil.example` get through);
 * - the host (links learned from events, which anyone with the public write
 *   key can send): one of the site's allowed origins, or a host it lists in
 *   `settings.assetHosts`. The admin's catalog upload is trusted to link
 *   anywhere. An allowed origin of `*` lets anyone send events; it does not
 *   let events link anywhere.
 */
import { originMatches } from '../sites/origins';

export const MAX_LINK_LENGTH = 2048;

export interface LinkHosts {
  allowedOrigins: readonly string[];
  /** Host names (with a port if not the default), or `*.example.com` for its subdomains. */
  assetHosts: readonly string[];
}

/** What is wrong with a link's shape, or undefined when it is safe to put in href/src. */
export function linkProblem(value: string): string | undefined {
  if (value.length > MAX_LINK_LENGTH) return `is longer than ${MAX_LINK_LENGTH} characters`;
  if (/[\s\\\u0000-\u001f\u007f-\u009f]/u.test(value)) return 'must not contain spaces, control characters or backslashes (percent-encode them)';
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return 'must not start with // (a browser reads that as another host): use /path or https://host/path';
    // Belt and braces: the path must stay on the page's own host.
    return new URL(value, 'https://host.invalid').host === 'host.invalid' ? undefined : 'must be a path on this site';
  }
  if (!/^https?:\/\//i.test(value)) return 'must be an http(s) URL or a path starting with /';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  return undefined;
}

/** Whether a link learned from an event may be kept: safe shape, and a path or one of the site's hosts. */
export function learnedLinkAllowed(value: string, hosts: LinkHosts): boolean {
  if (linkProblem(value) !== undefined) return false;
  if (value.startsWith('/')) return true;
  const url = new URL(value);
  return (
    hosts.allowedOrigins.some((pattern) => pattern !== '*' && originMatches(url.origin, pattern)) ||
    hosts.assetHosts.some((host) => hostMatches(url.host, host))
  );
}

function hostMatches(host: string, pattern: string): boolean {
  const wanted = pattern.toLowerCase();
  if (wanted.startsWith('*.')) return host.endsWith(wanted.slice(1)) && host.length > wanted.length - 1;
  return host === wanted;
}
