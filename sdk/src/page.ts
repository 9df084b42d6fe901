/**
 * Lazy chunk: everything a page may hold besides the page view it opened
 * with, loaded as the tag starts (nothing is sent before it has: the site's
 * settings, and a consent default in a data layer, decide whether the first
 * page view may go):
 * - navigations: single-page-app URL changes, pages restored from the
 *   back/forward cache, a prerendered page once it is shown (pageviews.ts);
 * - the site's settings (settings.ts): consent, Global Privacy Control;
 * - the device's context (locale, time zone, screen), worked out at idle;
 * - a GA4-style data layer: its consent commands, user ids and ecommerce
 *   events, read by the datalayer chunk once the layer holds anything;
 * - declarative attributes and recommendation slots, whose chunks load when
 *   the page has such elements: scanned for views after each page view and
 *   when such elements appear, at idle time so that they never compete with
 *   the page's own work, but within half a second even on a busy page, or a
 *   shopper who moves on quickly goes unrecorded. Clicks and submits on them
 *   are listened for from the start and handed to the declarative chunk;
 * - web vitals, once the page has loaded.
 */
import type { ChunkLoader, Core, Host } from './tracker';
import type { TrackerOptions } from './types';
import { gpcEnabled, rememberConsent } from './consent';
import { deviceContext } from './context';
import { fetchSettings } from './settings';
import { watchNavigation } from './pageviews';
import { afterLoad } from './lib/afterLoad';
import { onIdle } from './lib/onIdle';
import { warn } from './lib/warn';

/** Elements that mean the page uses declarative capture, and unfilled recommendation slots. */
const DECLARATIVE = '[data-trailmark-product],[data-trailmark-search],[data-trailmark-search-results],[data-trailmark-track]';
const UNFILLED_SLOT = '[data-trailmark-slot]:not([data-trailmark-state])';
/** What a click or a submit may mean to the declarative chunk (which works out what exactly). */
const INTERACTIVE = '[data-trailmark-track],[data-trailmark-add],[data-trailmark-remove],[data-trailmark-list] a[href],form[data-trailmark-search]';
/** Longest wait for an idle moment before scanning the page for attributes and slots. */
const SCAN_WITHIN_MS = 500;

/** Starts the page's features; resolves, once a data layer's first entries are read, to the scan the tracker calls after each page view. */
export async function startPage(host: Host, core: Core, options: TrackerOptions, load: ChunkLoader): Promise<(pageview?: boolean) => void> {
  const settings = fetchSettings(host.options.apiHost, options.writeKey, (response) => load('queue').then((chunk) => chunk.report(response)));
  const features = (
    [
      ['declarative', DECLARATIVE, options.declarative],
      ['slots', UNFILLED_SLOT, options.slots],
    ] as const
  ).filter((feature) => feature[2] !== false);
  let scanQueued = false;
  let newPageview = false;
  // A feature's chunk starts loading as soon as its elements are seen: now, and at each scan, so it is there when needed.
  const found = () => features.filter(([, selector]) => document.querySelector(selector)).map(([name]) => load(name));
  found();
  function rescan(pageview?: boolean): void {
    newPageview ||= !!pageview;
    if (scanQueued) return;
    scanQueued = true;
    found();
    onIdle(() => {
      const fresh = newPageview;
      scanQueued = newPageview = false;
      for (const chunk of found()) chunk.then((c) => c.scan(host, fresh), warn);
    }, SCAN_WITHIN_MS);
  }
  // A click or a submit is recorded however early it comes: the scan at idle would be too late for a shopper who
  // clicks at once. (Handed over at once when the chunk is there, as it usually is: before a link's navigation.)
  // The clicks the tag kept before this chunk listened come first.
  const interaction = (event: Event) => {
    // (After its dispatch, an event from a shadow tree has no target.)
    const target = event.target as Element | null;
    if (target?.closest?.(INTERACTIVE)) load('declarative').then((chunk) => chunk.interact(host.tracker, target, event.type == 'submit'), warn);
  };
  if (options.declarative !== false) {
    host.clicks?.forEach(interaction);
    document.addEventListener('click', interaction, true);
    document.addEventListener('submit', interaction, true);
  }
  host.clicks = undefined;
  // Also sees the elements added later, by the parser or by the page's code.
  if (features[0]) {
    new MutationObserver(() => rescan()).observe(document, {
      childList: true,
      subtree: true,
      attributeFilter: ['data-trailmark-product', 'data-trailmark-list', 'data-trailmark-slot', 'data-trailmark-track'],
    });
  }
  if (options.debug) host.tracker.debug(true);
  const auto = options.autoPageviews !== false;
  watchNavigation(core.moved, auto && ((restored) => core.page({}, {}, restored)), host.startUrl);
  onIdle(() => (core.device = deviceContext()));
  // What earlier pages left (offline, or closed before sending) goes once the page has loaded, when consent allows.
  afterLoad(core.flush);
  if (options.webVitals !== false) afterLoad(() => load('vitals').then((chunk) => chunk.reportWebVitals(host), warn));
  // The delivery queue's code (not its IndexedDB, opened only when something is queued), fetched at once,
  // while the network is there: events recorded after the connection drops can then still be kept on the device.
  load('queue').catch(() => {});
  const site = await settings;
  core.settings(site);
  host.siteUrl = site?.siteUrl;
  // A decision made before the settings were known is not kept where the site honours Global Privacy Control and the browser sends it.
  if (site?.honorGpc && gpcEnabled()) rememberConsent('denied', true);
  host.identity = core.identity;
  if (options.dataLayer !== false) await watchDataLayer(options.dataLayer || 'dataLayer', core, host, load);
  rescan(true);
  return rescan;
}

/** Reads the data layer's entries (those pushed before, then each push) with the datalayer chunk, loaded once it has any. */
async function watchDataLayer(name: string, core: Core, host: Host, load: ChunkLoader): Promise<void> {
  const layer = ((window as unknown as Record<string, unknown[]>)[name] ||= []);
  if (!Array.isArray(layer)) return;
  let read: (() => void) | undefined;
  const readLayer = () => (read ? read() : load('datalayer').then((chunk) => (read ||= chunk.readDataLayer(layer, core, host.tracker))(), warn));
  // Google Tag Manager wraps push the same way when it loads later, and calls through to this one.
  const push = layer.push;
  layer.push = function (this: unknown[], ...entries: unknown[]) {
    const length = push.apply(this, entries);
    readLayer();
    return length;
  };
  if (layer.length) await readLayer();
}
