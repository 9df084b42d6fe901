import { describe, expect, it } from 'vitest';
import { pooledZTestP } from './conversion-lift';
import { conversionMembersNeeded, membersNeededFor } from './power';
import { printFigure, SeededDraws, SIMULATION_TIMEOUT } from './simulation';

describe('conversionMembersNeeded', () => {
  it('gives the textbook sample size: 10% vs 15% needs 686 per group for 80% power at 5%', () => {
    // (1.96·√(2·0.125·0.875) + 0.8416·√(0.1·0.9 + 0.15·0.85))² / 0.05² = 685.6
    expect(conversionMembersNeeded({ members: 100, converted: 15 }, { members: 100, converted: 10 })).toEqual({ treatment: 586, control: 586, total: 1172 });
    expect(conversionMembersNeeded({ members: 100, converted: 15 }, { members: 100, converted: 10 }, { power: 0.9 })!.treatment).toBeGreaterThan(586);
  });

  it('keeps the split: a 10% holdout needs a tenth of the members', () => {
    const needed = conversionMembersNeeded({ members: 900, converted: 45 }, { members: 100, converted: 4 })!;
    expect(needed.control).toBeGreaterThan(0);
    expect((needed.treatment + 900) / (needed.control + 100)).toBeCloseTo(9, 1);
    expect(needed.total).toBe(needed.treatment + needed.control);
  });

  it('says 0 once there are enough, and null when there is no difference to size for', () => {
    expect(conversionMembersNeeded({ members: 5000, converted: 750 }, { members: 5000, converted: 500 })).toEqual({ treatment: 0, control: 0, total: 0 });
    expect(conversionMembersNeeded({ members: 100, converted: 10 }, { members: 100, converted: 10 })).toBeNull();
    expect(conversionMembersNeeded({ members: 0, converted: 0 }, { members: 100, converted: 10 })).toBeNull();
  });

  it('needs more members for the always-valid interval than for a single look', () => {
    const t = { members: 100, converted: 15 };
    const c = { members: 100, converted: 10 };
    const fixed = conversionMembersNeeded(t, c)!;
    const sequential = conversionMembersNeeded(t, c, { sequential: {} })!;
    expect(sequential.treatment).toBeGreaterThan(1.5 * fixed.treatment);
  });

  it('at the size it names, the test finds an effect of that size about 80% of the time (2,000 simulated campaigns)', { timeout: SIMULATION_TIMEOUT }, () => {
    const needed = conversionMembersNeeded({ members: 100, converted: 15 }, { members: 100, converted: 10 })!;
    const perGroup = 100 + needed.treatment;
    const random = new SeededDraws(501);
    let significant = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      let t = 0;
      let c = 0;
      for (let i = 0; i < perGroup; i++) {
        if (random.uniform() < 0.15) t++;
        if (random.uniform() < 0.1) c++;
      }
      if (pooledZTestP({ members: perGroup, converted: t }, { members: perGroup, converted: c }) < 0.05) significant++;
    }
    printFigure(`power at the size named for 10% → 15% (${perGroup} per group)`, { 'significant at 5%': significant / runs });
    expect(significant / runs).toBeGreaterThan(0.77);
    expect(significant / runs).toBeLessThan(0.83);
  });
});

describe('membersNeededFor', () => {
  it('gives the textbook size for means: a difference of 1 with SD 2 needs 63 per group', () => {
    // Groups of 10 with means 1 and 0 and variance 4 each: (1.96 + 0.8416)² · (4 + 4) / 1 = 62.8.
    expect(membersNeededFor(10, 10, 1, 4, 4)).toEqual({ treatment: 53, control: 53, total: 106 });
    expect(membersNeededFor(10, 10, 0, 4, 4)).toBeNull();
  });

  it('reaches the sizes it is given whatever the power says', () => {
    expect(membersNeededFor(10, 10, 1, 4, 4, { treatment: 200, control: 100 })).toEqual({ treatment: 190, control: 190, total: 380 });
  });
});
