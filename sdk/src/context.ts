/**
 * The `context` of messages: the page, the device and the library. (The
 * campaign, from the page's UTM parameters, is the collector's to work out.)
 */
import type { Context, PageContext } from '@trailmark/schema';

/**
 * The page's URL without the fragment (as Segment sends it), unless the
 * fragment is a hash router's route (`#/…`). A change of it is a new page.
 */
export function pageUrl({ href, hash }: { href: string; hash: string } = location): string {
  return hash[1] == '/' ? href : href.replace(/#.*/, '');
}

/** The page as Segment describes it; `referrer` is the previous URL after a single-page-app navigation. */
export function pageContext(referrer: string): PageContext {
  return { path: location.pathname, referrer, search: location.search, title: document.title, url: pageUrl() };
}

/**
 * The library that recorded a message: in each message, since a later page
 * (maybe with a newer tag) may send it. The build fills in the version.
 */
export const LIBRARY = { name: 'trailmark', version: typeof __VERSION__ == 'string' ? __VERSION__ : 'dev' };

let device: string | undefined;

/**
 * What is the same for every message of this browser, as JSON: sent once per
 * request as the batch's `context`, which the collector puts under each
 * message's own. Not worked out at start: the first Intl call of a renderer
 * process loads the ICU time zone data, some 15-20 ms even on a desktop
 * (later pages of the site in the same process pay nothing). The tracker
 * asks for it when the page is idle; the first send asks for it otherwise.
 */
export function deviceContext(): string {
  try {
    device ||= JSON.stringify({
      // As analytics.js does: the messages name their browser themselves, whatever relays them
      // (a first-party proxy, a keepalive send that outlives its page).
      userAgent: navigator.userAgent,
      locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
    } satisfies Context);
  } catch {
    // No Intl or screen (stripped-down webviews): the messages go without.
    device = '{}';
  }
  return device;
}
