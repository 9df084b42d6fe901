/**
 * `value` as an absolute http(s) URL, or undefined: what lets catalog data
 * (which anyone who can send events can influence) become an `href` or
 * `src` without `javascript:`, `data:` or other schemes getting through.
 */
export function safeUrl(value: unknown, base?: string): string | undefined {
  if (typeof value != 'string' || !value) return undefined;
  try {
    const url = new URL(value, base ?? location.href);
    return url.protocol == 'https:' || url.protocol == 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
