import { describe, expect, it } from 'vitest';
import { describeDashboardBench, type DashboardBench } from '../dashboard';

const bench = (over: Partial<DashboardBench>): DashboardBench => ({
  eventsStored: 1_007_747,
  loadAverage: [1.6, 1.5],
  simulated: { events: 15_000, seconds: 120 },
  copied: { copies: 66, seconds: 400 },
  timings: [],
  ...over,
});

describe('describeDashboardBench', () => {
  it('says how a state built in the run got its events', () => {
    expect(describeDashboardBench(bench({}))).toMatch(
      /^1,007,747 stored events: 15,000 sent by the simulator through POST \/v1\/batch in 120 s, then 66 copies of those shoppers/,
    );
  });

  it('does not credit the simulator with a kept state it only timed', () => {
    const line = describeDashboardBench(bench({ simulated: { events: 1_007_747, seconds: null }, copied: null }));
    expect(line).toMatch(/^1,007,747 stored events: a state kept from an earlier run/);
    expect(line).not.toMatch(/sent by the simulator/);
  });
});
