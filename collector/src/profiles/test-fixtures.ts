/** Stored messages for the profile tests (not part of the Worker). */
import type { StoredMessage } from '@trailmark/schema';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 0, 1);
let seq = 0;

/** A stored message at `at`, from Germany on a phone. */
export const stored = (m: Record<string, unknown>, at: number): StoredMessage =>
  ({
    messageId: `m${++seq}`,
    anonymousId: 'a',
    ...m,
    timestamp: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
    context: { geo: { country: 'DE', region: 'Bavaria' }, device: { type: 'mobile' }, bot: false },
  }) as StoredMessage;

export const track = (event: string, properties: Record<string, unknown>, at: number) => stored({ type: 'track', event, properties }, at);
export const product = (id: string, category = 'Outdoor > Tents', price = 10) => ({ product_id: id, price, category });
/** An order of the products [id, category?], 10 each. */
export const order = (ids: [string, string?][], at: number) =>
  track('Order Completed', { order_id: `o${at}`, total: ids.length * 10, products: ids.map(([id, category]) => product(id, category)) }, at);
/** An order with the given properties (total, currency, products…). */
export const orderWith = (properties: Record<string, unknown>, at: number) => track('Order Completed', { order_id: `o${at}`, ...properties }, at);
