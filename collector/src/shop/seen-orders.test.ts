import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { storedTrack } from '../recommend/test-fixtures';
import { orderIdOf } from './seen-orders';

const at = Date.parse('2026-03-01T10:00:00Z');
const order = (properties: Record<string, unknown>, event = 'Order Completed'): StoredMessage =>
  storedTrack({ ids: { anonymousId: 'a' }, event, properties, atMs: at, messageId: 'm1' });

describe('orderIdOf: the key an order counts under', () => {
  it('is the order_id of an Order Completed, trimmed', () => {
    expect(orderIdOf(order({ order_id: ' 1001 ' }))).toBe('1001');
  });

  it('reads a numeric order_id as its decimal text: the tag and the server name the same order', () => {
    expect(orderIdOf(order({ order_id: 1001 }))).toBe(orderIdOf(order({ order_id: '1001' })));
  });

  it('is none without a usable order_id, for other events and for bots: those count as before', () => {
    expect(orderIdOf(order({}))).toBeUndefined();
    expect(orderIdOf(order({ order_id: '  ' }))).toBeUndefined();
    expect(orderIdOf(order({ order_id: Number.NaN }))).toBeUndefined();
    expect(orderIdOf(order({ order_id: { id: 1 } }))).toBeUndefined();
    expect(orderIdOf(order({ order_id: '1001' }, 'Checkout Started'))).toBeUndefined();
    const bot = order({ order_id: '1001' });
    expect(orderIdOf({ ...bot, context: { ...bot.context, bot: true } } as StoredMessage)).toBeUndefined();
  });

  it('cuts a very long id to a bounded key', () => {
    expect(orderIdOf(order({ order_id: 'x'.repeat(1000) }))).toHaveLength(200);
  });
});
