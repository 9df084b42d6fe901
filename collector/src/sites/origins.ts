/** Matching a request's Origin against a site's allowed-origin patterns. */

export function originMatches(origin: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern === origin) return true;
  const wildcardPort = /^(https?:\/\/[^/:*]+):\*$/.exec(pattern);
  if (wildcardPort) {
    return origin === wildcardPort[1] || (origin.startsWith(`${wildcardPort[1]}:`) && /^\d+$/.test(origin.slice(wildcardPort[1]!.length + 1)));
  }
  const wildcardHost = /^(https?:\/\/)\*\.([^/*]+)$/.exec(pattern);
  if (wildcardHost) {
    const [, scheme, base] = wildcardHost;
    return origin.startsWith(scheme!) && origin.endsWith(`.${base}`) && !origin.slice(scheme!.length).includes('/');
  }
  return false;
}

export function originAllowed(origin: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => originMatches(origin, pattern));
}
