import { describe, expect, it } from 'vitest';
import { track } from '../profiles/test-fixtures';
import { isGoal, revenueOf } from './outcome';

const AT = Date.UTC(2026, 10, 2);
const order = (event: string) => track(event, { order_id: 'o1', total: 80, currency: 'EUR' }, AT);

describe('goal and revenue of an event', () => {
  it('an order is exactly "Order Completed" for the goal as for revenue', () => {
    const goal = { event: 'Order Completed' };
    expect(isGoal(goal, order('Order Completed'))).toBe(true);
    expect(revenueOf(order('Order Completed'), 'EUR')).toBe(80);
    // Not an order for the profile, the order dedup or revenue: it does not convert either.
    expect(isGoal(goal, order('order completed'))).toBe(false);
    expect(revenueOf(order('order completed'), 'EUR')).toBe(0);
    // A goal typed in another case still means the orders.
    expect(isGoal({ event: ' order completed ' }, order('Order Completed'))).toBe(true);
    expect(isGoal({ event: 'ORDER COMPLETED' }, order('order completed'))).toBe(false);
  });

  it('other goal events compare without regard to case or surrounding space', () => {
    expect(isGoal({ event: 'Signed Up' }, track('signed up ', {}, AT))).toBe(true);
    expect(isGoal({ event: 'Signed Up' }, track('Signed In', {}, AT))).toBe(false);
    expect(revenueOf(track('Signed Up', { total: 80 }, AT), 'EUR')).toBe(0);
  });
});
