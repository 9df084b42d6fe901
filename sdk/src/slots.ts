/**
 * Lazy chunk: recommendation slots.
 *
 * `recommend()` asks the collector for a slot's items. `renderSlots()` fills
 * every `[data-trailmark-slot]` element of the page:
 *
 *   <div data-trailmark-slot="product" data-trailmark-product-id="SKU-1"
 *        data-trailmark-limit="4" data-trailmark-template="my-card"
 *        data-trailmark-label="You may also like"></div>
 *
 * with the default template (an accessible list of cards whose images have
 * a fixed aspect ratio, so nothing shifts as they load), the site's own
 * `<template>` (elements marked `data-field="name|price|category|reason"`
 * get the text, `a[data-field=url]` the link, `img[data-field=image]` the
 * picture), or the `renderItem` option. A listener that cancels the
 * `trailmark:recommendations` event (detail: the response) renders the
 * slot itself, marking each item element with `data-trailmark-item` (the
 * product id) and `data-trailmark-position`.
 *
 * Catalog data reaches the page only as text (`textContent`) or as checked
 * http(s) URLs: a product named `<img onerror=…>` or a `javascript:` URL
 * does nothing. No style sheet is injected (inline styles are set through
 * the CSSOM, which a strict CSP allows), so no nonce is needed.
 *
 * A slot at least half visible for one second records `Recommendation
 * Viewed` once; a click on an item records `Recommendation Clicked`. Both
 * carry the `rec_id`, from which the collector attributes the shopper's
 * later `Product Added` and `Order Completed` to the slot and variant.
 */
import { EVENTS, type OfferView, type RecommendedItem } from '@trailmark/schema';
import type { Host } from './tracker';
import type { RecommendationResponse, RecommendOptions } from './types';
import { ACK_KEY, keptUserHash } from './identity';
import { readStorage } from './lib/storage';
import { safeUrl } from './lib/safeUrl';
import { refusal } from './lib/refusal';
import { warn } from './lib/warn';

const A = 'data-trailmark-';
const VIEW_MS = 1000;
/** Longest wait for the tag's start before a slot is asked for anyway. */
export const START_WAIT_MS = 3000;

/**
 * `GET {apiHost}/v1/recommendations`. The anonymousId goes along only once
 * consent allows tracking; without it the collector answers with
 * non-personal picks.
 *
 * Asked for before the tag has started (a page that calls `recommend()` as
 * it loads, a slot added before the site's settings arrived), it waits until
 * it has: until then consent is unknown, and the request would go without
 * the visitor's ids (and links without the shop's origin). A start that
 * does not end within START_WAIT_MS (a stalled settings request, a chunk
 * that never loads) does not keep the page waiting: the request then goes
 * as it would without consent, for non-personal picks.
 */
export async function recommend(host: Host, slot: string, options: RecommendOptions = {}): Promise<RecommendationResponse> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([host.started, new Promise((resolve) => (timer = setTimeout(resolve, START_WAIT_MS)))]);
  clearTimeout(timer);
  const { apiHost, writeKey } = host.options;
  const query = new URLSearchParams({ writeKey, slot });
  if (host.mayStore()) query.set('anonymousId', host.tracker.anonymousId());
  const userId = host.mayStore() && host.tracker.user().id();
  if (userId) query.set('userId', userId);
  // A customer id proves nothing on its own: identify's userHash, given on this page or kept by an earlier one for
  // this id, makes the picks personal.
  const userHash = userId && (host.identity?.().userHash || keptUserHash(userId));
  if (userHash) query.set('userHash', userHash);
  // The ack token of the browser's last answered batch, kept only while it stands for everything the browser sent
  // (transport.ts; a mark, "~…", while a send may be under way): once that batch is stored, the collector answers
  // without looking for the browser's not-yet-stored events.
  const ack = host.mayStore() && readStorage(ACK_KEY);
  if (ack && ack[0] != '~') query.set('ack', ack);
  if (options.productId) query.set('productId', String(options.productId));
  if (options.limit) query.set('limit', String(options.limit));
  // (The collector takes at most 100.)
  if (options.exclude?.[0]) query.set('exclude', options.exclude.slice(-100).join());
  const response = await fetch(`${apiHost}/v1/recommendations?${query}`);
  // The collector's message says what is wrong (unknown slot, key or origin): said once, and the rejection carries it.
  if (!response.ok) throw new Error(await refusal(response, `recommendations for "${slot}": `));
  return readRecommendations(await response.json(), slot, host.siteUrl);
}

const text = (value: unknown) => (typeof value == 'string' ? value : typeof value == 'number' ? String(value) : undefined);
const finite = (value: unknown) => (typeof value == 'number' && isFinite(value) ? value : undefined);

/**
 * The response with every field of the expected type; items without a
 * product id are left out. The catalog's root-relative links and images
 * resolve against `siteUrl`, the shop's origin, rather than the page's.
 */
export function readRecommendations(data: unknown, slot: string, siteUrl?: string): RecommendationResponse {
  const link = (value: unknown) => {
    const url = text(value);
    return siteUrl && url?.[0] == '/' ? safeUrl(url, siteUrl) : url;
  };
  const d = (data && typeof data == 'object' ? data : {}) as Record<string, unknown>;
  const o = (d.offer && typeof d.offer == 'object' ? d.offer : {}) as Record<string, unknown>;
  const campaignId = text(o.campaignId);
  const title = text(o.title);
  // The offer slot's answer: a campaign's offer for a shopper it treats, null for everyone else.
  const offer: OfferView | null | undefined =
    'offer' in d
      ? campaignId && title
        ? { campaignId, title, body: text(o.body), url: link(o.url), imageUrl: link(o.imageUrl), coupon: text(o.coupon) }
        : null
      : undefined;
  const items: RecommendedItem[] = [];
  for (const raw of Array.isArray(d.items) ? d.items : []) {
    const i = (raw && typeof raw == 'object' ? raw : {}) as Record<string, unknown>;
    const productId = text(i.productId);
    if (productId)
      items.push({
        productId,
        name: text(i.name) || '',
        price: finite(i.price),
        currency: text(i.currency),
        imageUrl: link(i.imageUrl),
        url: link(i.url),
        category: text(i.category),
        score: finite(i.score) || 0,
        reason: text(i.reason) || '',
      });
  }
  return {
    recId: text(d.recId) || '',
    slot: (text(d.slot) || slot) as RecommendationResponse['slot'],
    variant: d.variant == 'control' ? 'control' : 'treatment',
    strategy: text(d.strategy) || '',
    items,
    ...(offer !== undefined && { offer }),
  };
}

/** A price for people, in the page's language; the bare number when the currency code is unknown. */
export function formatPrice(price: number | undefined, currency: string | undefined, locale = document.documentElement.lang || undefined): string {
  if (price == undefined) return '';
  try {
    return currency ? new Intl.NumberFormat(locale, { style: 'currency', currency }).format(price) : String(price);
  } catch {
    return `${price} ${currency}`;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, css: string, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
  el.style.cssText = css;
  el.append(...children);
  return el;
}

/** The default card: picture (square, reserved before it loads), name and price, all one link. */
export function defaultCard(item: RecommendedItem): HTMLElement {
  const href = safeUrl(item.url);
  const src = safeUrl(item.imageUrl);
  const picture = src
    ? element('img', 'display:block;width:100%;height:auto;aspect-ratio:1;object-fit:cover')
    : element('span', 'display:block;aspect-ratio:1;background:#0001');
  if (src) Object.assign(picture, { src, alt: '', width: 320, height: 320, loading: 'lazy', decoding: 'async' });
  const card = element(
    href ? 'a' : 'div',
    'display:block;color:inherit;text-decoration:none',
    picture,
    element('span', 'display:block;margin-top:.5em', item.name),
    element('span', 'display:block;font-weight:bold', formatPrice(item.price, item.currency)),
  );
  if (href) (card as HTMLAnchorElement).href = href;
  return card;
}

/** The offer card: picture, headline, text and coupon code, all one link when it has one. */
export function offerCard(offer: OfferView): HTMLElement {
  const href = safeUrl(offer.url);
  const src = safeUrl(offer.imageUrl);
  const card = element(href ? 'a' : 'div', 'display:block;color:inherit;text-decoration:none', element('strong', 'display:block', offer.title));
  if (src) card.prepend(Object.assign(element('img', 'display:block;max-width:100%;height:auto'), { src, alt: '' }));
  if (offer.body) card.append(element('span', 'display:block', offer.body));
  if (offer.coupon) card.append(element('code', 'display:inline-block;margin-top:.5em', offer.coupon));
  if (href) (card as HTMLAnchorElement).href = href;
  return card;
}

/** One item from the site's `<template>`: only text and checked URLs are filled in. */
export function fromTemplate(template: HTMLTemplateElement, item: RecommendedItem): HTMLElement {
  const root = (template.content.cloneNode(true) as DocumentFragment).firstElementChild as HTMLElement;
  [root, ...root.querySelectorAll<HTMLElement>('[data-field]')].forEach((el) => {
    const field = el.getAttribute('data-field');
    if (!field) return;
    if (field == 'url' && el instanceof HTMLAnchorElement) {
      const href = safeUrl(item.url);
      if (href) el.href = href;
      else el.removeAttribute('href');
    } else if (field == 'image' && el instanceof HTMLImageElement) {
      const src = safeUrl(item.imageUrl);
      if (src) el.src = src;
      el.alt ||= '';
    } else {
      el.textContent = field == 'price' ? formatPrice(item.price, item.currency) : text(item[field as keyof RecommendedItem]) || '';
    }
  });
  return root;
}

/** Calls back once `el` has been at least half visible (or covered half the viewport) for a second, in a visible tab. */
export function whenViewed(el: Element, callback: () => void): void {
  if (typeof IntersectionObserver != 'function') return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inView = false;
  const check = () => {
    clearTimeout(timer);
    if (inView && document.visibilityState == 'visible') timer = setTimeout(seen, VIEW_MS);
  };
  const seen = () => {
    observer.disconnect();
    document.removeEventListener('visibilitychange', check);
    callback();
  };
  const observer = new IntersectionObserver(
    ([entry]) => {
      inView = entry!.intersectionRatio >= 0.5 || entry!.intersectionRect.height >= innerHeight / 2;
      check();
    },
    { threshold: [0, 0.25, 0.5, 0.75, 1] },
  );
  observer.observe(el);
  document.addEventListener('visibilitychange', check);
}

/** Product ids the slots of this page view show: a later slot leaves them out, so one page never shows a product twice. */
let shown: string[] = [];
/** The slots render one after another, in the page's order, each asking without what the earlier ones show. */
let rendering: Promise<void> = Promise.resolve();

async function renderSlot(host: Host, slot: HTMLElement): Promise<void> {
  const attr = (name: string) => slot.getAttribute(A + name) || undefined;
  slot.setAttribute('aria-busy', 'true');
  try {
    const limit = Number(attr('limit')) || undefined;
    const response = await recommend(host, attr('slot')!, { productId: attr('product-id'), limit, exclude: shown });
    const items = response.items.slice(0, limit);
    shown.push(...items.map((item) => item.productId));
    const { offer } = response;
    if (offer !== undefined) {
      // The offer slot: the card (or the site's own rendering, cancelling the event), its view and its clicks; without an offer, the fallback stays.
      if (offer && slot.dispatchEvent(new CustomEvent('trailmark:recommendations', { detail: response, cancelable: true })))
        slot.replaceChildren(offerCard(offer));
      slot.setAttribute(A + 'state', 'rendered');
      if (!offer) return;
      const properties = { campaignId: offer.campaignId };
      whenViewed(slot, () => host.tracker.track('Offer Viewed', properties));
      slot.addEventListener('click', () => host.tracker.track('Offer Clicked', properties), true);
      return;
    }
    const { recId: rec_id, slot: slotName, variant } = response;

    if (slot.dispatchEvent(new CustomEvent('trailmark:recommendations', { detail: response, cancelable: true }))) {
      const template = document.getElementById(attr('template') || '');
      const { renderItem } = host.options;
      const custom = renderItem || template instanceof HTMLTemplateElement;
      const nodes = items.map((item, i) => {
        const node = renderItem
          ? renderItem(item, i + 1, response)
          : template instanceof HTMLTemplateElement
            ? fromTemplate(template, item)
            : element('li', '', defaultCard(item));
        node.setAttribute(A + 'item', item.productId);
        node.setAttribute(A + 'position', String(i + 1));
        return node;
      });
      if (custom) slot.replaceChildren(...nodes);
      else {
        const list = element(
          'ul',
          'display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:1rem;list-style:none;margin:0;padding:0',
          ...nodes,
        );
        // list-style:none removes list semantics in Safari unless the role is explicit.
        list.setAttribute('role', 'list');
        const label = attr('label');
        if (label) list.setAttribute('aria-label', label);
        slot.replaceChildren(list);
      }
    }
    slot.setAttribute(A + 'state', 'rendered');

    whenViewed(slot, () =>
      host.tracker.track(EVENTS.recommendationViewed, { rec_id, slot: slotName, variant, product_ids: items.map((item) => item.productId) }),
    );
    slot.addEventListener(
      'click',
      (event) => {
        const item = (event.target as Element).closest?.(`[${A}item]`);
        if (!item || !slot.contains(item)) return;
        const product_id = item.getAttribute(A + 'item')!;
        host.tracker.track(EVENTS.recommendationClicked, {
          rec_id,
          slot: slotName,
          variant,
          product_id,
          position: Number(item.getAttribute(A + 'position')) || undefined,
        });
      },
      true,
    );
  } catch (error) {
    // The slot keeps whatever fallback content the site put in it.
    slot.setAttribute(A + 'state', 'failed');
    warn(error);
  } finally {
    slot.removeAttribute('aria-busy');
  }
}

/** Fills every slot of the page not yet handled (the tracker's scan of the page; `newPageview` after a navigation). */
export function scan(host: Host, newPageview?: boolean): void {
  if (newPageview) shown = [];
  document.querySelectorAll<HTMLElement>(`[${A}slot]:not([${A}state])`).forEach((slot) => {
    slot.setAttribute(A + 'state', 'loading');
    rendering = rendering.then(() => renderSlot(host, slot));
  });
}
