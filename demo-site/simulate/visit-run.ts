/**
 * The clicks of one simulated visit, in the order a shopper goes through the
 * storefront (land, browse along the shop's structure, search, cart,
 * checkout, log in), each sent as the tag would send it.
 */
import { EVENTS, type JsonObject } from '@trailmark/schema';
import { type CatalogProduct, slugify, splitCategory } from './catalog';
import type { Random } from './random';
import { productProperties } from './shelves';
import type { Device, ShopperSimulation } from './shopper-simulation';
import type { TagSession } from './tag-session';
import { siblingSubcategories } from './tastes';

interface CartLine {
  product: CatalogProduct;
  quantity: number;
}

/** The steps of one visit, in the order a shopper clicks through the storefront. */
export class VisitRun {
  private readonly random: Random;
  private readonly cartId: string;
  private readonly cart: CartLine[] = [];
  private readonly viewed: CatalogProduct[] = [];
  private aisle: string | undefined;
  private onCycle = false;

  constructor(
    private readonly shopper: ShopperSimulation,
    private readonly session: TagSession,
    private readonly device: Device,
  ) {
    this.random = shopper.rng;
    this.cartId = this.random.uuid();
  }

  browse(willBuy: boolean, loginMidway: boolean): void {
    const { knobs, tastes } = this.shopper;
    const focus = this.random.chance(0.8)
      ? this.random.pick(this.shopper.interestPaths)
      : this.random.weighted([...tastes.subcategoryWeight.keys()], (p) => tastes.subcategoryWeight.get(p) ?? 0);
    // Capped so that a session never runs past `now` (visits start at least two hours before it).
    const views = Math.min(40, this.random.count(1, knobs.meanViews));
    const target = willBuy ? this.shopper.purchaseTarget(focus) : undefined;
    const targetStep = target ? this.random.int(0, views - 1) : -1;
    const loginStep = loginMidway ? this.random.int(0, views) : -1;

    let current = this.land(focus);
    for (let step = current ? 1 : 0; step < views; step++) {
      if (step === loginStep) this.login();
      this.session.think();
      if (step === targetStep && target) {
        this.goTo(target);
        current = target;
        this.addToCart(target);
        const partner = tastes.partnerOf.get(target.product_id);
        const partnerProduct = partner ? tastes.byId.get(partner) : undefined;
        if (partnerProduct?.in_stock && this.random.chance(knobs.pairPurchaseRate)) {
          this.session.think(15);
          this.viewProduct(partnerProduct);
          this.addToCart(partnerProduct);
          current = partnerProduct;
        }
        continue;
      }
      current = this.next(current, focus);
    }
    if (target && this.cart.length === 0) {
      // The target was meant for a step the landing page already used up.
      this.session.think();
      this.goTo(target);
      this.addToCart(target);
    }
    if (loginStep >= 0) this.login();

    if (this.cart.length > 0) {
      this.checkout();
    } else if (current?.in_stock && this.random.chance(knobs.cartAbandonRate)) {
      this.addToCart(current);
      if (this.random.chance(0.4)) this.viewCart();
      if (this.random.chance(0.3)) this.removeFromCart(0);
    }
  }

  /** A shopper on a cycle: straight to the usual product, into the cart, checkout. */
  reorder(product: CatalogProduct): void {
    this.onCycle = true;
    this.session.pageView('Home', '/', 'Home');
    this.login();
    this.session.think(10);
    if (this.random.chance(0.5)) {
      this.session.pageView('Order History', '/account/orders', 'Your orders');
      this.session.think(10);
      this.viewProduct(product);
    } else {
      this.search(product.category, queryFor(product));
      this.session.think(8);
      this.viewProduct(product);
    }
    this.addToCart(product, this.random.chance(0.25) ? 2 : 1);
    this.checkout();
  }

  // ── page flows ───────────────────────────────────────────────────────

  /** The first page: home, a category, a search, or a product page from a link. Returns the product if it was one. */
  private land(focus: string): CatalogProduct | undefined {
    const r = this.random.next();
    if (r < 0.3) {
      this.session.pageView('Home', '/', 'Home');
      this.session.think();
      this.listAisle(focus);
      return undefined;
    }
    if (r < 0.55) {
      this.listAisle(focus);
      return undefined;
    }
    if (r < 0.8) {
      this.session.pageView('Home', '/', 'Home');
      this.session.think(12);
      this.search(focus);
      return undefined;
    }
    const product = this.shopper.productIn(focus);
    if (!product) return undefined;
    this.viewProduct(product);
    return product;
  }

  /** The next product view, following the shop's structure from the current one. */
  private next(current: CatalogProduct | undefined, focus: string): CatalogProduct | undefined {
    const { knobs, tastes } = this.shopper;
    if (!current) return this.pickFromAisle(this.aisle ?? focus);
    const partner = tastes.partnerOf.get(current.product_id);
    if (partner && this.random.chance(knobs.pairViewRate)) return this.viewById(partner);
    const r = this.random.next();
    let edge = knobs.similarViewRate;
    if (r < edge) {
      const near = tastes.similar.get(current.product_id) ?? [];
      if (near.length > 0) return this.viewById(this.random.weighted(near, (_, i) => near.length - i));
    }
    if (r < (edge += 0.25)) return this.pickFromAisle(current.category);
    if (r < (edge += 0.07) && this.viewed.length > 1) return this.viewById(this.random.pick(this.viewed).product_id);
    if (r < (edge += 0.1)) {
      const siblings = siblingSubcategories(tastes, current.category);
      if (siblings.length > 0) return this.listAndPick(this.random.pick(siblings));
    }
    const elsewhere = this.shopper.interestPaths.filter((p) => p !== current.category);
    return this.listAndPick(elsewhere.length > 0 ? this.random.pick(elsewhere) : focus);
  }

  /** Goes to a product, through its aisle's list when the shopper is elsewhere. */
  private goTo(product: CatalogProduct): void {
    if (this.aisle !== product.category && this.random.chance(0.5)) {
      this.listAisle(product.category);
      this.session.think();
    }
    this.viewProduct(product);
  }

  private listAndPick(path: string): CatalogProduct | undefined {
    if (this.random.chance(0.3)) this.search(path);
    else this.listAisle(path);
    this.session.think();
    return this.pickFromAisle(path);
  }

  private pickFromAisle(path: string): CatalogProduct | undefined {
    const product = this.shopper.productIn(path);
    if (product) this.viewProduct(product);
    return product;
  }

  private viewById(id: string): CatalogProduct | undefined {
    const product = this.shopper.tastes.byId.get(id);
    if (product) this.viewProduct(product);
    return product;
  }

  private listAisle(path: string): void {
    const { top, sub } = splitCategory(path);
    this.aisle = path;
    this.session.pageView('Category', `/category/${slugify(top)}/${slugify(sub)}`, sub);
    const products = this.shopper.shelves.list(`aisle|${path}`, () => this.shopper.tastes.bySubcategory.get(path) ?? []);
    this.session.track(EVENTS.productListViewed, { list_id: `category-${slugify(sub)}`, category: path, products });
  }

  private search(path: string, query = queryFor(this.shopper.rng.pick(this.shopper.tastes.bySubcategory.get(path) ?? []))): void {
    this.aisle = path;
    this.session.pageView('Search', `/search?q=${encodeURIComponent(query)}`, `Search: ${query}`);
    const words = query.toLowerCase().split(' ');
    const inAisle = this.shopper.tastes.bySubcategory.get(path) ?? [];
    const matches = inAisle.filter((p) => words.every((w) => p.name.toLowerCase().includes(w)));
    const found = matches.length > 0 ? matches : inAisle;
    // The page says how many results it shows, as the storefront's search page does.
    this.session.track(EVENTS.productsSearched, { query, result_count: found.length });
    const products = this.shopper.shelves.list(`search|${path}|${query}`, () => found);
    this.session.track(EVENTS.productListViewed, { list_id: 'search-results', products });
  }

  private viewProduct(product: CatalogProduct): void {
    this.session.pageView('Product', product.url, product.name);
    this.session.track(EVENTS.productViewed, { ...productProperties(product) });
    this.viewed.push(product);
  }

  private addToCart(product: CatalogProduct, quantity = product.consumable && this.random.chance(0.3) ? 2 : 1): void {
    this.session.think(8, 1);
    this.cart.push({ product, quantity });
    this.session.track(EVENTS.productAdded, { cart_id: this.cartId, ...productProperties(product), quantity });
  }

  private removeFromCart(index: number): void {
    const [line] = this.cart.splice(index, 1);
    if (!line) return;
    this.session.think(6, 1);
    this.session.track(EVENTS.productRemoved, { cart_id: this.cartId, ...productProperties(line.product), quantity: line.quantity });
  }

  private viewCart(): void {
    this.session.think(6);
    this.session.pageView('Cart', '/cart', 'Your cart');
    this.session.track(EVENTS.cartViewed, { cart_id: this.cartId, products: this.cart.map(cartItem) });
  }

  private checkout(): void {
    this.viewCart();
    this.session.think(10);
    this.login();
    const orderId = `order-${this.random.hex(12)}`;
    const products = this.cart.map(cartItem);
    const revenue = round2(this.cart.reduce((sum, line) => sum + line.product.price * line.quantity, 0));
    const shipping = revenue >= 50 ? 0 : 4.99;
    const tax = round2(revenue * 0.08);
    this.session.pageView('Checkout', '/checkout', 'Checkout');
    this.session.track(EVENTS.checkoutStarted, { order_id: orderId, value: revenue, revenue, currency: 'USD', products });
    this.session.think(45, 15);
    this.session.pageView('Order Confirmation', `/order/${orderId}`, 'Thank you for your order');
    this.session.track(EVENTS.orderCompleted, {
      order_id: orderId,
      checkout_id: this.cartId,
      total: round2(revenue + shipping + tax),
      revenue,
      shipping,
      tax,
      currency: 'USD',
      products,
    });
    this.shopper.orderPlaced(
      this.cart.map((l) => l.product.product_id),
      this.session.now,
      this.onCycle,
    );
  }

  private login(): void {
    this.shopper.identify(this.session, this.device);
  }
}

function cartItem(line: CartLine, index: number): JsonObject {
  return { ...productProperties(line.product), quantity: line.quantity, position: index + 1 };
}

/** What someone types to find a product: its kind, without brand, style or pack size. */
function queryFor(product: CatalogProduct | undefined): string {
  if (!product) return 'gift ideas';
  const withoutVariant = (product.name.split(',')[0] ?? product.name).replace(/\s+[IVX]+$/, '');
  const words = withoutVariant.slice(product.brand.length).trim().split(' ');
  return words.slice(-2).join(' ').toLowerCase();
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
