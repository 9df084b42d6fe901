/** The value of a cookie of this page, decoded, or undefined. */
export function readCookie(name: string): string | undefined {
  try {
    // (The browser joins its cookies with "; ".)
    const value = `; ${document.cookie}`.split(`; ${name}=`)[1]?.split(';')[0];
    return value && decodeURIComponent(value);
  } catch {
    // A malformed %-escape from another script's cookie, or cookies disabled.
    return undefined;
  }
}

/**
 * Writes a first-party cookie on the whole site (Path=/, SameSite=Lax), or
 * deletes it (`maxAgeSeconds` 0, `value` ''). `domain` shares it across subdomains.
 */
export function writeCookie(name: string, value: string, maxAgeSeconds: number, domain?: string): void {
  try {
    document.cookie =
      `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax` +
      (domain ? `; Domain=${domain}` : '') +
      (location.protocol == 'https:' ? '; Secure' : '');
  } catch {
    // Sandboxed documents throw on document.cookie.
  }
}
