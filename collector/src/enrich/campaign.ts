/**
 * `context.campaign` from the UTM parameters of the page a message was
 * recorded on (`context.page.search`, else `context.page.url`), for messages
 * that carry none: the Trailmark tag leaves this to the collector, and
 * analytics.js names them the same way (`utm_campaign` is `name`).
 */
export function campaignFromPage(page: unknown): Record<string, string> | undefined {
  if (!page || typeof page !== 'object') return undefined;
  const { search, url } = page as { search?: unknown; url?: unknown };
  let query = typeof search === 'string' ? search : '';
  if (!query && typeof url === 'string' && url.includes('?')) query = url.replace(/^[^?#]*\??/, '').replace(/#.*/, '');
  // Most pages have no query string: no parser is made for nothing.
  if (!query) return undefined;
  let campaign: Record<string, string> | undefined;
  for (const [key, value] of new URLSearchParams(query)) {
    if (key.startsWith('utm_') && key.length > 4 && value) (campaign ??= {})[key === 'utm_campaign' ? 'name' : key.slice(4)] = value.slice(0, 256);
  }
  return campaign;
}
