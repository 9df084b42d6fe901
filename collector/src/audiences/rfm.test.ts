import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCustomer,
  addToSketch,
  boundaryShift,
  emptyRfmSummary,
  emptySketch,
  mergeRfmSummaries,
  mergeSketches,
  rfmBoundaries,
  rfmScore,
  sameBoundaries,
  type RfmSummary,
} from './rfm';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 1);

interface Customer {
  orders: number;
  revenue: number;
  lastOrderAt: number;
}

function summarise(customers: Customer[]): RfmSummary {
  const summary = emptyRfmSummary(NOW);
  for (const c of customers) addCustomer(summary, c);
  return summary;
}

/** A deterministic spread of customers: revenue 1..1000, orders 1..10 (most once), last order 0..364 days ago. */
const customers: Customer[] = Array.from({ length: 1000 }, (_, i) => ({
  orders: i % 10 < 5 ? 1 : (i % 10) - 3,
  revenue: i + 1,
  lastOrderAt: NOW - ((i * 7) % 365) * DAY,
}));

describe('RFM quintiles', () => {
  it('cuts revenue at its quintiles, within the sketch accuracy', () => {
    const b = rfmBoundaries(summarise(customers));
    expect(b.customers).toBe(1000);
    b.monetary.forEach((cut, k) => expect(Math.abs(cut - 200 * (k + 1)) / (200 * (k + 1))).toBeLessThan(0.03));
    expect(rfmScore('monetary', 50, b)).toBe(1);
    expect(rfmScore('monetary', 500, b)).toBe(3);
    expect(rfmScore('monetary', 990, b)).toBe(5);
  });

  it('gives tied values one score by mid-rank: half the customers ordered once, they are not all top or bottom', () => {
    const b = rfmBoundaries(summarise(customers));
    // Orders: 50% once (mid-rank 0.25 → 2), then 2..6 orders 10% each (mid-ranks .55 .65 .75 .85 .95).
    expect([1, 2, 3, 4, 5, 6].map((n) => rfmScore('frequency', n, b))).toEqual([2, 3, 4, 4, 5, 5]);
  });

  it('scores recency higher for fewer days since the last order', () => {
    const b = rfmBoundaries(summarise(customers));
    expect(rfmScore('recency', 0, b)).toBe(5);
    expect(rfmScore('recency', 100, b)).toBe(4);
    expect(rfmScore('recency', 200, b)).toBe(3);
    expect(rfmScore('recency', 364, b)).toBe(1);
    for (let d = 1; d < 365; d++) expect(rfmScore('recency', d, b)).toBeLessThanOrEqual(rfmScore('recency', d - 1, b));
  });

  it('summaries from many hosts merge into the boundaries of one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: customers.length, maxLength: customers.length }), (hostOf) => {
        const hosts = Array.from({ length: 8 }, () => emptyRfmSummary(NOW));
        customers.forEach((c, i) => addCustomer(hosts[hostOf[i]!]!, c));
        expect(rfmBoundaries(mergeRfmSummaries(hosts))).toEqual(rfmBoundaries(summarise(customers)));
      }),
      { numRuns: 20 },
    );
  });

  it('keeps a sketch small whatever the number of customers', () => {
    const sketch = emptySketch();
    for (let i = 0; i < 100_000; i++) addToSketch(sketch, 1 + ((i * 7919) % 1_000_000) / 100);
    expect(Object.keys(sketch.bins).length).toBeLessThan(600);
    expect(mergeSketches(sketch, sketch).count).toBe(200_000);
  });

  it('leaves out profiles without orders, and says when boundaries change', () => {
    const summary = summarise([...customers, { orders: 0, revenue: 0, lastOrderAt: NOW }]);
    expect(summary.frequency.count).toBe(1000);
    const a = rfmBoundaries(summary);
    expect(sameBoundaries(a, rfmBoundaries(summarise(customers)))).toBe(true);
    expect(sameBoundaries(a, rfmBoundaries(summarise(customers.slice(0, 500))))).toBe(false);
    expect(sameBoundaries(undefined, a)).toBe(false);
  });

  it('with one customer, or all equal, everyone is in the middle', () => {
    const b = rfmBoundaries(summarise([{ orders: 2, revenue: 80, lastOrderAt: NOW - DAY }]));
    expect([rfmScore('recency', 1, b), rfmScore('frequency', 2, b), rfmScore('monetary', 80, b)]).toEqual([3, 3, 3]);
    const empty = rfmBoundaries(emptyRfmSummary(NOW));
    expect(rfmScore('monetary', 10, empty)).toBe(1);
  });
});

describe('boundaryShift: who new boundaries re-score', () => {
  const base = { computedAt: 0, customers: 10, recency: [7, 30, 90, 180], frequency: [2, 3, 5, 8], monetary: [50, 100, 250, 500] };
  it('names only the ranges between each moved cut and where it went', () => {
    const after = { ...base, frequency: [2, 4, 5, 8], monetary: [40, 100, 250, 600], recency: [5, 30, 120, 180] };
    expect(boundaryShift(base, after)).toEqual({
      frequency: [[3, 4]],
      monetary: [
        [40, 50],
        [500, 600],
      ],
      recency: [
        [5, 7],
        [90, 120],
      ],
      // Recency 5 < 7: customers not yet 7 days out reach the new cut sooner.
      earlierCuts: [5],
    });
    expect(boundaryShift(base, base)).toEqual({ frequency: [], monetary: [], recency: [], earlierCuts: [] });
  });

  it('re-scores everyone when there were no boundaries before', () => {
    expect(boundaryShift(undefined, base).frequency).toEqual([[-Infinity, Infinity]]);
  });
});
