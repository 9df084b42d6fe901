/**
 * What a message says about products: Ecommerce v2 events carry name, price,
 * image, url and category, either as their own properties (Product Viewed,
 * Added, Removed, Clicked) or in a `products` list (Product List Viewed, Cart
 * Viewed, Checkout Started, Order Completed). Pure, so catalog learning is
 * tested without storage.
 */
import { EVENTS, type StoredMessage } from '@trailmark/schema';

export interface ProductFacts {
  productId: string;
  name?: string;
  price?: number;
  currency?: string;
  imageUrl?: string;
  url?: string;
  category?: string;
  inStock?: boolean;
  quantity?: number;
}

const SINGLE_PRODUCT_EVENTS = new Set<string>([EVENTS.productViewed, EVENTS.productAdded, EVENTS.productRemoved, EVENTS.productClicked]);

const text = (value: unknown, max = 2048) => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined);
const number = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? value
    : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) && Number(value) >= 0
      ? Number(value)
      : undefined;

/** Reads one product (snake_case as Segment sends it; camelCase accepted too). */
export function productFacts(raw: unknown, fallbackCurrency?: string): ProductFacts | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const p = raw as Record<string, unknown>;
  const id = p.product_id ?? p.productId ?? p.sku ?? p.id;
  const productId = typeof id === 'number' && Number.isFinite(id) ? String(id) : text(id, 256);
  if (!productId) return undefined;
  const inStock = p.in_stock ?? p.inStock;
  const facts: ProductFacts = { productId };
  const assign = <K extends keyof ProductFacts>(key: K, value: ProductFacts[K] | undefined) => {
    if (value !== undefined) facts[key] = value;
  };
  assign('name', text(p.name, 512));
  assign('price', number(p.price));
  assign('currency', text(p.currency, 8) ?? (p.price !== undefined ? fallbackCurrency : undefined));
  assign('imageUrl', text(p.image_url ?? p.imageUrl));
  assign('url', text(p.url));
  assign('category', text(p.category, 512));
  assign('inStock', typeof inStock === 'boolean' ? inStock : undefined);
  assign('quantity', number(p.quantity));
  return facts;
}

/** Every product a message mentions. */
export function productsOfMessage(message: StoredMessage): ProductFacts[] {
  if (message.type !== 'track') return [];
  const properties = (message.properties ?? {}) as Record<string, unknown>;
  const currency = text(properties.currency, 8);
  if (SINGLE_PRODUCT_EVENTS.has(message.event)) {
    const product = productFacts(properties, currency);
    return product ? [product] : [];
  }
  if (!Array.isArray(properties.products)) return [];
  return properties.products.slice(0, 200).flatMap((raw) => {
    const product = productFacts(raw, currency);
    return product ? [product] : [];
  });
}
