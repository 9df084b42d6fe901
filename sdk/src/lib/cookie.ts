/** The value of a cookie of this page, decoded, or undefined. */
export function readCookie(name: string): string | undefined {
  try {
    const match = document.cookie.match(new RegExp(`(?:^|;\\s*)${name}=([^;]*)`));
    return match ? decodeURIComponent(match[1]!) : undefined;
  } catch {
    // A malformed %-escape from another script's cookie, or cookies disabled.
    return undefined;
  }
}

/**
 * Writes a first-party cookie on the whole site (Path=/, SameSite=Lax), or
 * deletes it when `value` is undefined. `domain` shares it across subdomains.
 */
export function writeCookie(name: string, value: string | undefined, maxAgeSeconds: number, domain?: string): void {
  try {
    document.cookie =
      `${name}=${value === undefined ? '' : encodeURIComponent(value)}; Path=/; Max-Age=${value === undefined ? 0 : maxAgeSeconds}; SameSite=Lax` +
      (domain ? `; Domain=${domain}` : '') +
      (location.protocol == 'https:' ? '; Secure' : '');
  } catch {
    // Sandboxed documents throw on document.cookie.
  }
}
