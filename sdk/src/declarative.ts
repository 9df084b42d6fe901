/**
 * Lazy chunk: no-code capture from `data-trailmark-*` attributes, for sites
 * that cannot write JavaScript; loaded only on pages that use them. The
 * vocabulary (README, "Declarative attributes"):
 *
 *   data-trailmark-product="ID"  an element describing a product, with
 *       -name -price -currency -category -brand -variant -sku -url -image -quantity
 *   data-trailmark-view            on a product element: `Product Viewed`
 *   data-trailmark-list="LIST"     around product elements: `Product List Viewed` (-category)
 *   data-trailmark-cart            around product elements: `Cart Viewed`
 *   data-trailmark-search-results="QUERY"   `Products Searched` (with -result-count)
 *   data-trailmark-search          on a form: `Products Searched` on submit
 *   data-trailmark-add / -remove   on a button in (or naming) a product: `Product Added` / `Product Removed`
 *   a link inside a listed product: `Product Clicked`
 *   data-trailmark-track="EVENT"   any element: EVENT on click (on a form: on submit), with the
 *                                  element's data-trailmark-prop-NAME="VALUE" as properties
 *
 * Views are recorded once per page view (the tracker rescans after each
 * one and when matching elements appear); clicks and submits as they happen
 * (`interact`, handed each by the page chunk, which listens from the start).
 */
import type { Product } from '@trailmark/schema';
import type { Host } from './tracker';
import type { Tracker } from './types';
import { safeUrl } from './lib/safeUrl';

const A = 'data-trailmark-';
const VIEWS = `[${A}view],[${A}list],[${A}cart],[${A}search-results]`;

const attr = (el: Element, name: string) => el.getAttribute(A + name) ?? undefined;
const number = (value: string | null | undefined) => (value == null || value == '' || isNaN(+value) ? undefined : +value);

/** The product an element describes. */
export function productOf(el: Element, position?: number): Product {
  return {
    product_id: attr(el, 'product') || '',
    sku: attr(el, 'sku'),
    name: attr(el, 'name'),
    brand: attr(el, 'brand'),
    category: attr(el, 'category'),
    variant: attr(el, 'variant'),
    price: number(attr(el, 'price')),
    currency: attr(el, 'currency'),
    quantity: number(attr(el, 'quantity')),
    url: safeUrl(attr(el, 'url')),
    image_url: safeUrl(attr(el, 'image')),
    position,
  };
}

const productsIn = (el: Element) => [...el.querySelectorAll(`[${A}product]`)].map((p, i) => productOf(p, i + 1));

/** The product a button acts on: the product element around it, or the one its attribute names. */
function productFor(button: Element, name: string): Element | null {
  const id = attr(button, name);
  return button.closest(`[${A}product]`) || (id ? document.querySelector(`[${A}product="${CSS.escape(id)}"]`) : null);
}

export type Trackers = Pick<
  Tracker,
  'track' | 'productViewed' | 'productClicked' | 'productListViewed' | 'productsSearched' | 'productAdded' | 'productRemoved' | 'cartViewed'
>;

const PROP = `${A}prop-`;

/** The properties of a `data-trailmark-track` element: its `data-trailmark-prop-plan-name="pro"` is `{ plan_name: 'pro' }`. */
export function propertiesOf(el: Element): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const { name, value } of Array.from(el.attributes)) {
    if (name.startsWith(PROP)) properties[name.slice(PROP.length).replace(/-/g, '_')] = value;
  }
  return properties;
}

/** Records the `data-trailmark-track` event of the element an interaction reached, if any. */
function trackElement(tracker: Trackers, target: Element, submit: boolean): void {
  const el = target.closest?.(`[${A}track]`);
  // A form's event is its submit; any other element's, a click (not the click on a form's submit button).
  if (el && el instanceof HTMLFormElement == submit) tracker.track(attr(el, 'track')!, propertiesOf(el));
}

/**
 * Records what a click or a submit on `target` means: a `data-trailmark-track`
 * event, a product added or removed, a listed product clicked, a search. The
 * page chunk listens from the tag's start and hands each over (the views wait
 * for the scan; an interaction must not).
 */
export function interact(tracker: Trackers, target: Element, submit: boolean): void {
  trackElement(tracker, target, submit);
  if (submit) {
    const form = target.closest?.(`form[${A}search]`);
    const input = form?.querySelector<HTMLInputElement>(`input[type=search],input[name=q],input[name=query],input[name=search]`);
    const query = input?.value.trim();
    if (query) tracker.productsSearched({ query });
    return;
  }
  const button = target.closest?.(`[${A}add],[${A}remove]`);
  if (button) {
    const name = button.hasAttribute(A + 'add') ? 'add' : 'remove';
    const el = productFor(button, name);
    if (!el) return;
    const quantityInput = el.querySelector<HTMLInputElement>('input[name=quantity]');
    const product = productOf(el);
    product.quantity = number(attr(button, 'quantity')) ?? number(quantityInput?.value) ?? product.quantity ?? 1;
    (name == 'add' ? tracker.productAdded : tracker.productRemoved)(product);
    return;
  }
  const listed = target.closest?.(`a[href]`)?.closest(`[${A}list] [${A}product]`);
  const list = listed?.closest(`[${A}list]`);
  if (listed && list) {
    const position = [...list.querySelectorAll(`[${A}product]`)].indexOf(listed) + 1;
    tracker.productClicked({ ...productOf(listed, position), list_id: attr(list, 'list') });
  }
}

/** The scan that records the views of the current page view (once per page view for each element). */
export function captureDeclarative(tracker: Trackers): (newPageview: boolean) => void {
  let seen = new WeakMap<Element, string>();

  return function scan(newPageview) {
    if (newPageview) seen = new WeakMap();
    document.querySelectorAll(VIEWS).forEach((el) => {
      // An element reused by a framework for another product or list counts again.
      const signature = [attr(el, 'product'), attr(el, 'list'), attr(el, 'cart'), attr(el, 'search-results')].join('\n');
      if (seen.get(el) == signature) return;
      seen.set(el, signature);
      if (el.hasAttribute(A + 'view') && attr(el, 'product')) tracker.productViewed(productOf(el));
      if (el.hasAttribute(A + 'list'))
        tracker.productListViewed({ list_id: attr(el, 'list') || undefined, category: attr(el, 'category'), products: productsIn(el) });
      if (el.hasAttribute(A + 'cart')) tracker.cartViewed({ cart_id: attr(el, 'cart') || undefined, products: productsIn(el) });
      const query = attr(el, 'search-results');
      if (query) tracker.productsSearched({ query, result_count: number(attr(el, 'result-count')) });
    });
  };
}

let scanner: ((newPageview: boolean) => void) | undefined;

/** The tracker's scan of the page for views (after each page view, and when such elements appear). */
export function scan(host: Host, newPageview: boolean): void {
  (scanner ||= captureDeclarative(host.tracker))(newPageview);
}
