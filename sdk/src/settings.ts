/**
 * The site's settings that the tag must know before it stores or sends
 * anything: whether the site requires consent and honours Global Privacy
 * Control (`GET /v1/tag-settings/:writeKey`). One small request per page,
 * which the browser answers from its cache most of the time.
 *
 * Resolves to the settings; to null when the collector refuses this page
 * (unknown write key, origin not allowed: said on the console, and the tag
 * then records nothing); to undefined when they cannot be had (offline, an
 * older collector), in which case the page's own options apply.
 */
import type { TagSettings } from '@trailmark/schema';

/** @param refused says what the collector said (the queue chunk does, loaded only then) */
export async function fetchSettings(apiHost: string, writeKey: string, refused: (response: Response) => void): Promise<TagSettings | null | undefined> {
  try {
    const response = await fetch(`${apiHost}/v1/tag-settings/${encodeURIComponent(writeKey)}`);
    if (response.ok) return await response.json();
    if (response.status == 401 || response.status == 403) {
      refused(response);
      return null;
    }
  } catch {
    // Offline, or a network error: the page's options apply.
  }
}
