/**
 * What the fast tests of the recommendation aggregates share: a store over
 * sql.js with the shop's schema, drained in batches as ShopState drains, and
 * stored track messages shaped as the drain hands them on. Imported by tests
 * only.
 */
import type { StoredMessage } from '@trailmark/schema';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { SHOP_MIGRATIONS } from '../shop/shop-model';
import { AggregateStore } from './aggregate-store';

/** An AggregateStore on the shop's schema; `batch` applies bumps as one drained batch. */
export async function openAggregateStore() {
  const { sql, transaction } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  const aggregates = new AggregateStore(sql);
  const batch = (fn: () => void) =>
    transaction(() => {
      aggregates.begin();
      fn();
      aggregates.flush();
    });
  return { sql, aggregates, batch };
}

export const productIds = (list: { productId: string }[]) => list.map((s) => s.productId);

export interface StoredTrackFields {
  ids: { anonymousId?: string; userId?: string };
  event: string;
  properties: Record<string, unknown>;
  messageId: string;
  /** When it was sent, and received. */
  atMs: number;
  /** Default: Bavaria. */
  geo?: { country: string; region?: string };
}

/** A track message from a desktop shopper, received when it was sent. */
export function storedTrack({ ids, event, properties, messageId, atMs, geo = { country: 'DE', region: 'Bavaria' } }: StoredTrackFields): StoredMessage {
  const timestamp = new Date(atMs).toISOString();
  return {
    type: 'track',
    event,
    properties,
    ...ids,
    messageId,
    timestamp,
    receivedAt: timestamp,
    context: { geo, device: { type: 'desktop' }, bot: false },
  } as StoredMessage;
}
