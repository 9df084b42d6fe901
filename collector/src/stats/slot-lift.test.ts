import { describe, expect, it } from 'vitest';
import { rateLift, revenuePerShopperLift } from './slot-lift';

describe('slot lift', () => {
  it('calls a clear difference a finding, and sizes the holdout while it is not one', () => {
    const clear = rateLift({ members: 10_000, converted: 1300 }, { members: 10_000, converted: 1000 }, 'shoppers');
    expect(clear.relative).toBeCloseTo(0.3);
    expect(clear.verdict.status).toBe('better');
    expect(clear.verdict.text).toMatch(/^personalised converts 3\.0 points better \(95% interval/);
    expect(clear.needed).toBeNull();

    // The case: a −74% change from 28 holdout shoppers says nothing yet; it says how many more it takes.
    const unclear = rateLift({ members: 252, converted: 8 }, { members: 28, converted: 3 }, 'shoppers');
    expect(unclear.verdict.status).toBe('unclear');
    expect(unclear.needed!.control).toBeGreaterThan(28);
    expect(unclear.verdict.text).toMatch(
      /^not yet distinguishable: personalised converts 7\.5 points worse .*; about [\d,]+ more shoppers needed, [\d,]+ of them in the holdout$/,
    );

    expect(rateLift({ members: 10, converted: 1 }, { members: 0, converted: 0 }, 'shoppers').verdict).toEqual({
      status: 'unknown',
      text: 'not enough data yet',
    });
    // More clicks than viewable impressions count as every impression clicked, not as an impossible rate.
    expect(rateLift({ members: 3, converted: 5 }, { members: 3, converted: 1 }, 'impressions').absolute).toBeCloseTo(2 / 3);
  });

  it('says a click-through difference as clicks, not conversions', () => {
    const ctr = rateLift({ members: 140, converted: 21 }, { members: 19, converted: 3 }, 'impressions', {
      verb: 'is clicked',
      more: 'more often',
      less: 'less often',
    });
    expect(ctr.verdict.text).toMatch(
      /^not yet distinguishable: personalised is clicked 0\.8 points less often \(95% interval .*\); about [\d,]+ more impressions needed, [\d,]+ of them in the holdout$/,
    );
  });

  it('compares revenue per shopper in one currency', () => {
    const lift = revenuePerShopperLift(
      { members: 100, revenue: 500, revenueSquares: 50_000, buyers: 5 },
      { members: 20, revenue: 60, revenueSquares: 4000, buyers: 1 },
      'EUR',
    );
    expect(lift.absolute).toBeCloseTo(2);
    expect(lift.verdict.text).toMatch(/^not yet distinguishable: personalised brings 2\.00 EUR more per shopper/);
    expect(lift).not.toHaveProperty('tooFewBuyers');
  });

  it('never reads a holdout that spent nothing as significant: 13 shoppers, all at 0', () => {
    // 300 personalised shoppers, 15 buyers spending 40 on average; the holdout's 13 shoppers bought nothing.
    const lift = revenuePerShopperLift(
      { members: 300, revenue: 600, revenueSquares: 15 * 2400, buyers: 15 },
      { members: 13, revenue: 0, revenueSquares: 0, buyers: 0 },
      'USD',
    );
    expect(lift.verdict.status).toBe('unclear');
    expect(lift.verdict.text).toContain('0 of 13 holdout shoppers bought');
    expect(lift.ci95![0]).toBeLessThan(0);
    expect(lift.needed!.control).toBeGreaterThan(13);
  });
});
