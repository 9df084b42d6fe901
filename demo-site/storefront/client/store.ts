/**
 * What the shop keeps in this browser: the cart, the logged-in demo
 * account and the orders placed here. localStorage, read defensively: a
 * value another version of the page wrote (or a hand edit) is ignored, not
 * trusted.
 */

export interface CartLine {
  productId: string;
  name: string;
  brand?: string;
  category?: string;
  sku?: string;
  price: number;
  currency: string;
  url: string;
  image: string;
  quantity: number;
}

export interface Cart {
  id: string;
  lines: CartLine[];
}

export interface Account {
  userId: string;
  name: string;
  email: string;
}

export interface Order {
  id: string;
  placedAt: string;
  userId?: string;
  lines: CartLine[];
  totals: Totals;
  deliverTo: { name: string; email: string; address: string; city: string; postcode: string; country: string };
  /** Set once the confirmation page has told the data layer, so a reload does not count the order twice. */
  reported?: boolean;
}

export interface Totals {
  subtotal: number;
  shipping: number;
  tax: number;
  total: number;
  currency: string;
}

export const MAX_QUANTITY = 10;
const FREE_SHIPPING_FROM = 50;
const SHIPPING = 4.99;
const TAX_RATE = 0.08;

const KEYS = { cart: 'demo-shop:cart', account: 'demo-shop:account', orders: 'demo-shop:orders' } as const;

function read<T>(key: string, valid: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? 'null');
    return valid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: unknown): void {
  if (value === undefined) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
  // Other parts of this page (the header's cart count) follow along; other tabs get the storage event.
  dispatchEvent(new CustomEvent('demo-shop:change', { detail: key }));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isLine = (v: unknown): v is CartLine =>
  isObject(v) &&
  typeof v.productId === 'string' &&
  typeof v.name === 'string' &&
  typeof v.price === 'number' &&
  Number.isInteger(v.quantity) &&
  (v.quantity as number) > 0;
const isCart = (v: unknown): v is Cart => isObject(v) && typeof v.id === 'string' && Array.isArray(v.lines) && v.lines.every(isLine);
const isAccount = (v: unknown): v is Account => isObject(v) && typeof v.userId === 'string' && typeof v.name === 'string' && typeof v.email === 'string';
const isOrders = (v: unknown): v is Order[] => Array.isArray(v) && v.every((o) => isObject(o) && typeof o.id === 'string' && Array.isArray(o.lines));

function newId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function getCart(): Cart {
  return read(KEYS.cart, isCart) ?? { id: newId('cart'), lines: [] };
}

export function itemCount(cart = getCart()): number {
  return cart.lines.reduce((sum, line) => sum + line.quantity, 0);
}

/** Adds to the cart; returns the quantity the cart now holds (at most MAX_QUANTITY). */
export function addToCart(item: Omit<CartLine, 'quantity'>, quantity: number): number {
  const cart = getCart();
  const line = cart.lines.find((l) => l.productId === item.productId);
  const next = Math.min(MAX_QUANTITY, (line?.quantity ?? 0) + quantity);
  if (line) line.quantity = next;
  else cart.lines.push({ ...item, quantity: next });
  write(KEYS.cart, cart);
  return next;
}

/** Sets a line's quantity; zero removes it. */
export function setQuantity(productId: string, quantity: number): void {
  const cart = getCart();
  cart.lines = cart.lines.map((l) => (l.productId === productId ? { ...l, quantity: Math.min(MAX_QUANTITY, quantity) } : l)).filter((l) => l.quantity > 0);
  write(KEYS.cart, cart);
}

export function emptyCart(): void {
  write(KEYS.cart, undefined);
}

export function totals(lines: readonly CartLine[]): Totals {
  const subtotal = round2(lines.reduce((sum, l) => sum + l.price * l.quantity, 0));
  const shipping = subtotal === 0 || subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING;
  const tax = round2(subtotal * TAX_RATE);
  return { subtotal, shipping, tax, total: round2(subtotal + shipping + tax), currency: lines[0]?.currency ?? 'USD' };
}

export function getAccount(): Account | undefined {
  return read(KEYS.account, isAccount);
}

export function setAccount(account: Account | undefined): void {
  write(KEYS.account, account);
}

export function getOrders(): Order[] {
  return read(KEYS.orders, isOrders) ?? [];
}

export function findOrder(id: string): Order | undefined {
  return getOrders().find((o) => o.id === id);
}

export function saveOrder(order: Order): void {
  write(KEYS.orders, [order, ...getOrders().filter((o) => o.id !== order.id)].slice(0, 50));
}

export function newOrderId(): string {
  return newId('order');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
