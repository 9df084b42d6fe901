import { describe, expect, it } from 'vitest';
import { cupedRevenueLift, pooledTheta } from './cuped';
import { revenueLift, welchTest } from './revenue-lift';
import { cupedCoverage, printFigure, SeededDraws, SIMULATION_TIMEOUT, type CupedCoverage } from './simulation';
import { addTotals, EMPTY_TOTALS, memberTotals, type CovariateTotals, type GroupTotals } from './totals';

interface Member {
  x: number;
  y: number;
}

const totalsOf = (members: Member[]): GroupTotals & CovariateTotals =>
  members.map((m) => memberTotals({ converted: m.y > 0, revenue: m.y, spendBefore: m.x })).reduce(addTotals, { ...EMPTY_TOTALS });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function momentsOf(ys: number[]) {
  const m = mean(ys);
  return { n: ys.length, mean: m, variance: ys.reduce((a, y) => a + (y - m) ** 2, 0) / (ys.length - 1) };
}

/** CUPED the long way, member by member: the reference the totals-only computation must equal. */
function cupedFromMembers(treatment: Member[], control: Member[]) {
  const all = [...treatment, ...control];
  const meanX = mean(all.map((m) => m.x));
  const meanY = mean(all.map((m) => m.y));
  const theta = all.reduce((a, m) => a + (m.x - meanX) * (m.y - meanY), 0) / all.reduce((a, m) => a + (m.x - meanX) ** 2, 0);
  const adjusted = (group: Member[]) => momentsOf(group.map((m) => m.y - theta * (m.x - meanX)));
  return { theta, test: welchTest(adjusted(treatment), adjusted(control))! };
}

function members(count: number, random: SeededDraws, lift: number): Member[] {
  return Array.from({ length: count }, () => {
    const level = random.logNormal(20, 1);
    const x = random.uniform() < 0.5 ? level * random.logNormal(1, 0.5) : 0;
    const y = random.uniform() < 0.3 ? level * random.logNormal(1, 0.5) + lift : 0;
    return { x, y };
  });
}

describe('cupedRevenueLift', () => {
  it('from running totals equals the member-by-member computation', () => {
    const random = new SeededDraws(301);
    const treatment = members(400, random, 5);
    const control = members(350, random, 0);
    const fromTotals = cupedRevenueLift(totalsOf(treatment), totalsOf(control));
    const reference = cupedFromMembers(treatment, control);
    expect(fromTotals.theta).toBeCloseTo(reference.theta, 10);
    expect(fromTotals.absolute).toBeCloseTo(reference.test.difference, 8);
    expect(fromTotals.ci95![0]).toBeCloseTo(reference.test.ci95[0], 8);
    expect(fromTotals.ci95![1]).toBeCloseTo(reference.test.ci95[1], 8);
    expect(fromTotals.pValue).toBeCloseTo(reference.test.pValue, 10);
    const plain = welchTest(momentsOf(treatment.map((m) => m.y)), momentsOf(control.map((m) => m.y)))!;
    expect(fromTotals.varianceReduction).toBeCloseTo(1 - reference.test.standardError ** 2 / plain.standardError ** 2, 10);
  });

  it('is the plain Welch test when nobody spent before', () => {
    const random = new SeededDraws(302);
    const noSpend = (m: Member) => ({ ...m, x: 0 });
    const t = totalsOf(members(100, random, 5).map(noSpend));
    const c = totalsOf(members(100, random, 0).map(noSpend));
    const cuped = cupedRevenueLift(t, c);
    expect(pooledTheta(t, c)).toBe(0);
    expect(cuped).toMatchObject({ ...revenueLift(t, c), theta: 0, varianceReduction: 0 });
  });

  it('removes all the noise spend before explains', () => {
    // y = 2x exactly in control, 2x + 3 in treatment: the adjusted difference is 3, with almost no noise left.
    const t = totalsOf([1, 4, 9, 2].map((x) => ({ x, y: 2 * x + 3 })));
    const c = totalsOf([3, 8, 1, 5].map((x) => ({ x, y: 2 * x })));
    const cuped = cupedRevenueLift(t, c);
    expect(cuped.absolute).toBeCloseTo(3, 1);
    expect(cuped.varianceReduction).toBeGreaterThan(0.9);
  });

  it('says nothing about an empty group', () => {
    expect(cupedRevenueLift({ ...EMPTY_TOTALS }, totalsOf([{ x: 1, y: 2 }]))).toMatchObject({
      absolute: null,
      ci95: null,
      theta: null,
      varianceReduction: null,
    });
  });
});

function print(label: string, measured: CupedCoverage): void {
  printFigure(label, {
    'CUPED coverage': measured.coverage,
    'Welch coverage': measured.welchCoverage,
    'variance reduction': measured.meanVarianceReduction,
    'width vs Welch': measured.widthRatio,
  });
}

describe('CUPED coverage and width (shoppers whose spend before predicts spend after)', { timeout: SIMULATION_TIMEOUT }, () => {
  it('covers at 93–97% and is narrower than Welch on the same data when spend before is correlated with spend after', () => {
    const measured = cupedCoverage({ members: 600, treatmentRate: 0.54, controlRate: 0.45 }, 2000, 303);
    print('CUPED, 600 per group, correlated spend before (2,000 runs)', measured);
    expect(measured.coverage).toBeGreaterThanOrEqual(0.93);
    expect(measured.coverage).toBeLessThanOrEqual(0.97);
    expect(measured.meanVarianceReduction).toBeGreaterThan(0.1);
    expect(measured.widthRatio).toBeLessThan(0.95);
  });

  it('costs nothing when spend before says nothing about spend after', () => {
    const measured = cupedCoverage({ members: 400, treatmentRate: 0.54, controlRate: 0.45, independentBefore: true }, 2000, 304);
    print('CUPED, 400 per group, unrelated spend before (2,000 runs)', measured);
    expect(measured.coverage).toBeGreaterThanOrEqual(0.93);
    expect(measured.coverage).toBeLessThanOrEqual(0.97);
    expect(measured.widthRatio).toBeGreaterThan(0.98);
    expect(measured.widthRatio).toBeLessThan(1.02);
  });
});
