/**
 * The orders counted, by `order_id` (the order's key in Segment's `Order
 * Completed`; GA4 keys a purchase by transaction_id) and person. The same
 * order often arrives twice: from the browser tag and from the shop's
 * server, two messages with two messageIds, so the message-level
 * idempotency (applied-outcomes.ts) lets both through. The drain applies a
 * site's events one at a time (in ShopState, or resolved so by the identity
 * directory), so the first copy to reach a person counts and every later one
 * of the same person is recorded as a repeat that counts nowhere.
 *
 * An order id is claimed per person, not per site: shops number their orders
 * 1001, 1002, … and anyone holding the public write key could otherwise send
 * the next number first and make the real shopper's order count nowhere. A
 * copy from another person claims the id for that person only, whose profile
 * anyone could fill with made-up orders anyway. A person is the profile as it
 * is now: when a browser's profile joins its customer's, its claims move
 * along (`move`, the identity store's merge hook), so the tag's anonymous
 * copy and the server's copy under the userId are one order. A server copy
 * that names neither the browser's anonymousId nor a userId that browser
 * has identified with by the time the later copy arrives is another
 * person's and counts again (README).
 *
 * Erasing a person (their profile and every profile merged into it) forgets
 * their claims, so nothing left here names them.
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

/** An item of a drained batch as claims read it: its order id, if any, and the ids that lead to its person. */
export interface OrderItem {
  orderId?: string | undefined;
  anonymousId?: string | undefined;
  userId?: string | undefined;
  previousId?: string | undefined;
}

export function orderItemOf(message: StoredMessage): OrderItem {
  const { anonymousId, userId, previousId } = message as StoredMessage & { previousId?: string };
  return { orderId: orderIdOf(message), anonymousId, userId, previousId };
}

/** One drained batch's claims, applied in order (SeenOrders.forBatch). */
export interface BatchClaims {
  /**
   * Whether the person (`profileId`, as it is now) counted `orderId` before,
   * in an earlier batch or earlier in this one; if not, claims it for them.
   */
  repeated(orderId: string | undefined, profileId: string): boolean;
  /** Writes the batch's new claims, in one statement. */
  record(): void;
}

export class SeenOrders {
  constructor(private readonly sql: Sql) {}

  /** The batch being applied: the claims it read and made, which a merge inside it moves too. */
  private batch: { owners: Map<string, Set<string>>; claimed: [orderId: string, profileId: string][] } | undefined;

  /** Did this person (a profile as it is now) count `orderId`? One query (a recommendation's pending events). */
  claimedBy(orderId: string, profileId: string): boolean {
    return this.sql.exec('SELECT 1 AS x FROM order_claims WHERE order_id = ? AND profile_id = ?', orderId, profileId).toArray().length > 0;
  }

  /**
   * One drained batch, applied in order. One read: the claims on the batch's
   * order ids by the profiles its ids lead to now. A message can only land in
   * such a profile or in one the batch creates (which has no claims yet), and
   * only such profiles merge inside it, so this is every claim the batch can
   * meet, however many people claimed the same id. One write: record().
   */
  forBatch(items: readonly OrderItem[]): BatchClaims {
    const orderIds = [...new Set(items.flatMap((item) => (item.orderId === undefined ? [] : [item.orderId])))];
    const owners = new Map<string, Set<string>>();
    if (orderIds.length > 0) {
      // An id of either kind: stitching looks an unproven userId up as an anonymous one, and alias's previousId as both.
      const ids = [...new Set(items.flatMap((item) => [item.anonymousId, item.userId, item.previousId].filter((id): id is string => id !== undefined)))];
      for (const row of this.sql.exec<{ order_id: string; profile_id: string }>(
        `SELECT order_id, profile_id FROM order_claims
         WHERE order_id IN (SELECT value FROM json_each(?1))
           AND profile_id IN (SELECT profile_id FROM identities WHERE id_kind IN ('anonymous', 'user') AND id IN (SELECT value FROM json_each(?2)))`,
        JSON.stringify(orderIds),
        JSON.stringify(ids),
      )) {
        ownersOf(owners, row.order_id).add(row.profile_id);
      }
    }
    const batch = { owners, claimed: [] as [string, string][] };
    this.batch = batch;
    return {
      repeated: (orderId, profileId) => {
        if (orderId === undefined) return false;
        const claims = ownersOf(batch.owners, orderId);
        if (claims.has(profileId)) return true;
        claims.add(profileId);
        batch.claimed.push([orderId, profileId]);
        return false;
      },
      record: () => {
        if (this.batch === batch) this.batch = undefined;
        this.recordMany(batch.claimed);
      },
    };
  }

  /** Records claims (order id, profile), in one statement. */
  recordMany(orders: readonly (readonly [orderId: string, profileId: string])[]): void {
    if (orders.length === 0) return;
    this.sql.exec(
      `INSERT OR IGNORE INTO order_claims (order_id, profile_id) SELECT r.value ->> 0, r.value ->> 1 FROM json_each(?) AS r`,
      JSON.stringify(orders),
    );
  }

  /**
   * A merge (the identity store's hook): `from`'s claims become `into`'s,
   * stored and in the batch being applied, in one statement. An id both had
   * claimed stays one claim (REPLACE drops `into`'s row as `from`'s takes its key).
   */
  move(from: string, into: string): void {
    this.sql.exec('UPDATE OR REPLACE order_claims SET profile_id = ? WHERE profile_id = ?', into, from);
    if (!this.batch) return;
    for (const claims of this.batch.owners.values()) {
      if (claims.delete(from)) claims.add(into);
    }
    for (const claim of this.batch.claimed) if (claim[1] === from) claim[1] = into;
  }

  /** Erasure: the order ids of these profiles go with them. */
  forget(profileIds: readonly string[]): void {
    if (profileIds.length === 0) return;
    this.sql.exec('DELETE FROM order_claims WHERE profile_id IN (SELECT value FROM json_each(?))', JSON.stringify(profileIds));
  }
}

function ownersOf(owners: Map<string, Set<string>>, orderId: string): Set<string> {
  let claims = owners.get(orderId);
  if (!claims) owners.set(orderId, (claims = new Set()));
  return claims;
}
