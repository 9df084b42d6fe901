/**
 * The tracker: identity, session and consent state, the messages of the
 * Segment Spec, and the features switched on by the options. Shared by the
 * script tag (tag.ts) and the npm package (index.ts), which differ only in
 * their defaults and in how they load the lazy chunks.
 */
import type { Message } from '@trailmark/schema';
import type { Properties, Tracker, TrackerOptions } from './types';
import { gpcEnabled, rememberConsent, rememberedConsent, type ConsentState } from './consent';
import { campaignOf, deviceContext, LIBRARY, pageContext, pageUrl } from './context';
import { listenToDataLayer } from './datalayer';
import { ecommerceHelpers } from './ecommerce';
import { loadIdentity, saveIdentity, type Identity } from './identity';
import { trackPageviews } from './pageviews';
import { createQueueStore } from './queue';
import { createSession } from './session';
import { createTransport } from './transport';
import { onIdle } from './lib/onIdle';
import { uuid } from './lib/uuid';
import { warn } from './lib/warn';

/** What the lazy chunks may use of the tracker. */
export interface Host {
  tracker: Tracker;
  userId(): string | undefined;
  /** The page view the document began with (first load, or restore from the back/forward cache). */
  pageViewId(): string | undefined;
  /** Whether storing on the device and sending are allowed (consent). */
  mayStore(): boolean;
  apiHost: string;
  writeKey: string;
  renderItem: TrackerOptions['renderItem'];
}

/** Optional features, loaded only on pages that use them. */
export interface Chunks {
  vitals: typeof import('./vitals');
  slots: typeof import('./slots');
  declarative: typeof import('./declarative');
  ga4: typeof import('./ga4');
}
export type ChunkLoader = <Name extends keyof Chunks>(name: Name) => Promise<Chunks[Name]>;

/** Elements that mean the page uses declarative capture. */
const DECLARATIVE = '[data-trailmark-product],[data-trailmark-search],[data-trailmark-search-results]';
const UNFILLED_SLOT = '[data-trailmark-slot]:not([data-trailmark-state])';
/** Longest wait for an idle moment before scanning the page for attributes and slots. */
const SCAN_WITHIN_MS = 500;
/** Messages held in memory while consent is pending, at most. */
const MAX_HELD = 500;

export function startTracker(options: TrackerOptions, loadChunk: ChunkLoader): Tracker {
  // One promise per chunk: callbacks on it run in the order they were added, so events mapped by a
  // chunk keep the order in which they happened (two import() calls may settle in either order).
  const chunks: Partial<Record<keyof Chunks, Promise<unknown>>> = {};
  const load: ChunkLoader = (name) => (chunks[name] ||= loadChunk(name)) as never;
  const { writeKey, cookieDomain } = options;
  const apiHost = (options.apiHost || location.origin).replace(/\/+$/, '');
  const requireConsent = !!options.requireConsent;
  // With GPC respected and sent, the state is denied for good: no call changes it.
  const gpcDenies = !!options.respectGpc && gpcEnabled();
  const remembered = rememberedConsent();
  let consentState: ConsentState = gpcDenies ? 'denied' : remembered || (requireConsent ? 'pending' : 'granted');
  /** Whether the visitor has decided (here or on an earlier page): Consent Mode defaults no longer apply. */
  let consentDecided = !!remembered;
  const mayStore = () => consentState == 'granted';
  /** Whether an event happening now is recorded (sent, or held until consent). */
  const recording = () => consentState != 'denied' && !(consentState == 'pending' && options.requireConsent == 'drop');
  let held: Message[] = [];

  let identity: Identity = loadIdentity();
  const save = () => mayStore() && saveIdentity(identity, cookieDomain);
  const session = createSession(mayStore);
  const transport = createTransport(apiHost, writeKey, createQueueStore(`trailmark:${writeKey}`), options.flushInterval || 500);
  let page = pageContext(document.referrer);
  let campaign = campaignOf(location.search);
  let documentPageViewId: string | undefined;

  /** Keeps the page context current: after a URL change (the old URL becomes the referrer), or always for a page view (title). */
  function refreshPage(always?: boolean): void {
    const moved = pageUrl() != page.url;
    if (moved || always) {
      page = pageContext(moved ? page.url! : page.referrer!);
      campaign = campaignOf(location.search);
    }
  }

  function send(message: Message): void {
    // A site that requires consent has its collector store only messages that say it was granted.
    if (requireConsent) message.context!.consent = { status: 'granted' };
    transport.send(message);
  }

  function record(type: Message['type'], fields: Partial<Message>): Message | undefined {
    if (!recording()) return;
    const now = Date.now();
    refreshPage();
    const message = {
      type,
      messageId: uuid(),
      anonymousId: identity.anonymousId,
      userId: identity.userId,
      timestamp: new Date(now).toISOString(),
      context: { library: LIBRARY, page, campaign, sessionId: session.id(now) },
      ...fields,
    } as Message;
    if (consentState != 'pending') send(message);
    else if (held.length < MAX_HELD) held.push(message);
    return message;
  }

  /** Applies the visitor's decision (`remember`), or a site's default (Consent Mode), which may be pending. */
  function setConsent(status: ConsentState, remember = true): void {
    if (gpcDenies) return;
    consentState = status;
    if (remember) {
      consentDecided = true;
      rememberConsent(status as 'granted', requireConsent);
    }
    if (status == 'granted') {
      save();
      session.save(true);
      held.forEach(send);
    } else if (status == 'denied') {
      saveIdentity(undefined, cookieDomain);
      session.reset(true);
    }
    if (status != 'pending') held = [];
  }

  function recordPage(name?: string, properties?: Properties, restored?: boolean): void {
    refreshPage(true);
    const message = record('page', { name, properties: { ...page, ...properties } });
    if (message && (restored || !documentPageViewId)) documentPageViewId = message.messageId;
    rescan(true);
  }

  const track = (event: string, properties?: Properties) => void record('track', { event, properties });

  const tracker: Tracker = {
    page: (name, properties) => recordPage(name, properties),
    track,
    identify(userId, traits) {
      identity.userId = String(userId);
      save();
      record('identify', { traits });
    },
    alias(userId) {
      const previousId = identity.userId || identity.anonymousId;
      identity.userId = String(userId);
      save();
      record('alias', { previousId });
    },
    reset() {
      identity = { anonymousId: uuid() };
      session.reset();
      save();
    },
    consent(status) {
      if (status == 'granted' || status == 'denied') setConsent(status);
      else warn('consent() takes "granted" or "denied"');
    },
    ready: (callback) => callback(tracker),
    flush: () => (mayStore() ? transport.flush() : Promise.resolve()),
    anonymousId: () => identity.anonymousId,
    ...ecommerceHelpers(track),
    recommend: (slot, recommendOptions) => load('slots').then((chunk) => chunk.recommend(host, slot, recommendOptions)),
  };

  // Never throw into the host page: a failing method says so on the console instead.
  for (const key in tracker) {
    const method = tracker[key as keyof Tracker] as (...args: unknown[]) => unknown;
    (tracker as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      try {
        return method(...args);
      } catch (error) {
        // (flush and recommend cannot get here: their failures are rejections, not throws.)
        warn(key, error);
      }
    };
  }

  const host: Host = {
    tracker,
    userId: () => identity.userId,
    pageViewId: () => documentPageViewId,
    mayStore,
    apiHost,
    writeKey,
    renderItem: options.renderItem,
  };

  // Page scans for declarative attributes and recommendation slots: after each page view and when
  // such elements appear, at idle time so that they never compete with the page's own work — but
  // within half a second even on a busy page, or a shopper who moves on quickly goes unrecorded.
  // The chunk starts loading at once, so it is there when the scan runs.
  const declarative = options.declarative !== false;
  const slots = options.slots !== false;
  let scanDeclarative: ((newPageview: boolean) => void) | undefined;
  let scanQueued = false;
  let newPageview = false;
  function rescan(pageview?: boolean): void {
    newPageview ||= !!pageview;
    if (scanQueued || !(declarative || slots)) return;
    scanQueued = true;
    if (declarative && !scanDeclarative && document.querySelector(DECLARATIVE)) load('declarative');
    onIdle(() => {
      const fresh = newPageview;
      scanQueued = newPageview = false;
      if (declarative && (scanDeclarative || document.querySelector(DECLARATIVE))) {
        load('declarative').then((chunk) => (scanDeclarative ||= chunk.captureDeclarative(tracker))(fresh), warn);
      }
      if (slots && document.querySelector(UNFILLED_SLOT)) load('slots').then((chunk) => chunk.renderSlots(host), warn);
    }, SCAN_WITHIN_MS);
  }
  // Also sees the elements the parser adds after this async script ran, so no DOMContentLoaded wait.
  if (declarative || slots) {
    new MutationObserver(() => rescan()).observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributeFilter: ['data-trailmark-product', 'data-trailmark-list', 'data-trailmark-slot'],
    });
  }

  if (options.dataLayer !== false) {
    listenToDataLayer(options.dataLayer || 'dataLayer', {
      consent(status, isDefault) {
        // Consent Mode's "default" is the site's starting point, not the visitor's choice: a default
        // "denied" means wait for a decision (nothing stored or sent meanwhile), and a decision wins.
        if (!isDefault) setConsent(status);
        else if (!consentDecided) setConsent(status == 'granted' ? status : 'pending', false);
      },
      ecommerce(name, params) {
        // Decided now, mapped when the chunk is there (in push order: these promises settle in order).
        if (recording()) load('ga4').then((chunk) => chunk.mapGa4Event(name, params).forEach((e) => track(e.event, e.properties)), warn);
      },
      identify(userId, traits) {
        // Tag Manager sites re-send the user id on every page: identify only when it changes.
        if (userId != identity.userId || traits) tracker.identify(userId, traits as Properties | undefined);
      },
      logout() {
        if (identity.userId) tracker.reset();
      },
    });
  }

  // Only now, after the data layer's consent commands: each page load renews the identity cookie.
  save();
  if (options.autoPageviews !== false) trackPageviews((restored) => recordPage(undefined, undefined, restored));
  else rescan(true);

  const afterLoad = (callback: () => void) =>
    document.readyState == 'complete' ? onIdle(callback) : addEventListener('load', () => onIdle(callback), { once: true });
  onIdle(deviceContext);
  // Deliver what earlier pages left in the queue (offline, or closed before sending).
  afterLoad(tracker.flush);
  if (options.webVitals !== false) afterLoad(() => load('vitals').then((chunk) => chunk.reportWebVitals(host), warn));

  return tracker;
}
