/**
 * The orders a site has counted, by `order_id` (the order's key in
 * Segment's `Order Completed`; GA4 keys a purchase by transaction_id). The
 * same order often arrives twice: from the browser tag and from the shop's
 * server, two messages with two messageIds, so the message-level
 * idempotency (applied-outcomes.ts) lets both through. The drain applies a
 * site's events one at a time in ShopState, so the first copy to be applied
 * counts and every later one is recorded as a repeat that counts nowhere.
 *
 * Each id is kept with the profile its first copy went to: erasing that
 * person (their profile and every profile merged into it) forgets their
 * order ids too, so nothing left here names them.
 */
import { EVENTS, type StoredMessage } from '@trailmark/schema';
import type { Sql } from '../lib/sql';

/** Order ids longer than this are cut: a key, not a document. */
const MAX_ORDER_ID = 200;

/**
 * The order id an event counts under, or undefined when it is no order or
 * names none (then it counts as it always did). A numeric id is the same
 * order as its decimal text: a tag may send 1001 where the server sends
 * "1001". Bots' orders count nowhere, so they claim no id.
 */
export function orderIdOf(message: StoredMessage): string | undefined {
  if (message.type !== 'track' || message.event !== EVENTS.orderCompleted || message.context.bot) return undefined;
  const raw = (message.properties as Record<string, unknown> | undefined)?.order_id;
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : '';
  return text ? text.slice(0, MAX_ORDER_ID) : undefined;
}

export class SeenOrders {
  constructor(private readonly sql: Sql) {}

  /** Which of `orderIds` were counted before, in one query (a drained batch). */
  findMany(orderIds: readonly string[]): Set<string> {
    const seen = new Set<string>();
    if (orderIds.length === 0) return seen;
    for (const row of this.sql.exec<{ order_id: string }>(
      'SELECT order_id FROM seen_orders WHERE order_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(orderIds),
    )) {
      seen.add(row.order_id);
    }
    return seen;
  }

  /**
   * One drained batch, applied in order: `repeated` says whether an order
   * was counted before (in an earlier batch or earlier in this one) and
   * otherwise claims it for the profile; `record` writes the batch's new
   * claims in one statement. One read and one write per batch.
   */
  forBatch(orderIds: readonly (string | undefined)[]): { repeated(orderId: string | undefined, profileId: string): boolean; record(): void } {
    const seen = this.findMany(orderIds.filter((id): id is string => id !== undefined));
    const claimed: [string, string][] = [];
    return {
      repeated: (orderId, profileId) => {
        if (orderId === undefined) return false;
        if (seen.has(orderId)) return true;
        seen.add(orderId);
        claimed.push([orderId, profileId]);
        return false;
      },
      record: () => this.recordMany(claimed),
    };
  }

  /** Records newly counted orders with the profile each went to, in one statement. */
  recordMany(orders: readonly (readonly [orderId: string, profileId: string])[]): void {
    if (orders.length === 0) return;
    this.sql.exec(
      `INSERT OR IGNORE INTO seen_orders (order_id, profile_id) SELECT r.value ->> 0, r.value ->> 1 FROM json_each(?) AS r`,
      JSON.stringify(orders),
    );
  }

  /** Erasure: the order ids of these profiles go with them. */
  forget(profileIds: readonly string[]): void {
    if (profileIds.length === 0) return;
    this.sql.exec('DELETE FROM seen_orders WHERE profile_id IN (SELECT value FROM json_each(?))', JSON.stringify(profileIds));
  }
}
