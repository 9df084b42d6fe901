import { describe, expect, it } from 'vitest';
import { revenueLift } from './revenue-lift';
import { printFigure, SeededDraws, SIMULATION_TIMEOUT } from './simulation';
import { revenueVerdict } from './verdict';
import { MIN_BUYERS, zeroInflatedMembersNeeded, zeroInflatedRevenueLift, type BuyerTotals } from './zero-inflated';

const totalsOf = (ys: number[]): BuyerTotals => ({
  members: ys.length,
  revenue: ys.reduce((a, b) => a + b, 0),
  revenueSquares: ys.reduce((a, b) => a + b * b, 0),
  buyers: ys.filter((y) => y > 0).length,
});
const zeros = (n: number) => Array.from({ length: n }, () => 0);
const NAMES = { treatment: 'personalised', control: 'holdout', noun: 'shoppers' };
const excludesZero = (ci: [number, number] | null) => ci !== null && (ci[0] > 0 || ci[1] < 0);

describe('zeroInflatedRevenueLift', () => {
  it("does not call a lift significant against a holdout of 13 shoppers who all spent 0 (Welch's test did)", () => {
    // 300 personalised shoppers, 15 of whom bought; 13 holdout shoppers, none did.
    const baskets = [35, 42, 48, 51, 55, 58, 60, 64, 70, 75, 82, 90, 110, 140, 210];
    const treatment = totalsOf([...baskets, ...zeros(285)]);
    const control = totalsOf(zeros(13));
    const welch = revenueLift(treatment, control);
    expect(excludesZero(welch.ci95)).toBe(true);
    expect(revenueVerdict(welch, 'EUR').status).toBe('better');

    const lift = zeroInflatedRevenueLift(treatment, control, NAMES);
    expect(lift.absolute).toBeCloseTo(treatment.revenue / 300, 10);
    // 0 of 13 is compatible with a buying rate of 10% and more: the interval spans zero by a wide margin.
    expect(excludesZero(lift.ci95)).toBe(false);
    expect(lift.ci95![0]).toBeLessThan(-5);
    expect(lift.tooFewBuyers).toBe(`0 of 13 holdout shoppers bought: revenue is judged once each group has ${MIN_BUYERS} buyers`);
    const needed = zeroInflatedMembersNeeded(treatment, control)!;
    // Enough holdout shoppers to expect 10 buyers at a rate near the one seen: far more than 13.
    expect(needed.control).toBeGreaterThan(50);
    const verdict = revenueVerdict(lift, 'EUR', { treatmentName: 'personalised', controlName: 'holdout', needed, notYet: lift.tooFewBuyers });
    expect(verdict.status).toBe('unclear');
    expect(verdict.text).toMatch(
      /^not yet distinguishable: personalised brings [\d.]+ EUR more per shopper \(95% interval −[\d.]+ to [\d.]+\); 0 of 13 holdout shoppers bought: revenue is judged once each group has 10 buyers; about [\d,]+ more shoppers needed, [\d,]+ of them in the holdout$/,
    );
  });

  it('keeps a clear difference between groups with many buyers, and Welch’s interval there', () => {
    const random = new SeededDraws(5);
    const group = (n: number, rate: number, basket: number) =>
      totalsOf(Array.from({ length: n }, () => (random.uniform() < rate ? random.logNormal(basket, 0.8) : 0)));
    const treatment = group(4000, 0.15, 60);
    const control = group(4000, 0.1, 60);
    const lift = zeroInflatedRevenueLift(treatment, control, NAMES);
    const welch = revenueLift(treatment, control);
    expect(lift.tooFewBuyers).toBeNull();
    expect(excludesZero(lift.ci95)).toBe(true);
    // The floor is below the observed variance here: within 2% of Welch's width.
    const width = (ci: [number, number]) => ci[1] - ci[0];
    expect(width(lift.ci95!) / width(welch.ci95!)).toBeLessThan(1.02);
    expect(revenueVerdict(lift, 'USD', { notYet: lift.tooFewBuyers }).status).toBe('better');
  });

  it('says nothing without members, and 0 with nobody buying anywhere', () => {
    expect(zeroInflatedRevenueLift(totalsOf([]), totalsOf([1, 2]))).toMatchObject({ absolute: null, ci95: null, tooFewBuyers: null });
    expect(zeroInflatedRevenueLift(totalsOf(zeros(50)), totalsOf(zeros(5)))).toMatchObject({ absolute: 0, ci95: null });
    expect(zeroInflatedMembersNeeded(totalsOf(zeros(50)), totalsOf(zeros(5)))).toBeNull();
  });
});

/**
 * Comparisons as a slot sees them (a large personalised group, a small
 * holdout, few buyers, skewed baskets): how often each method would call a
 * difference significant (with none planted: a false positive), and how often the interval holds
 * the true difference.
 */
function aaRuns(
  scenario: { treatment: number; control: number; rate: number; basket: number; sigma: number; treatmentRate?: number },
  runs: number,
  seed: number,
) {
  const truth = ((scenario.treatmentRate ?? scenario.rate) - scenario.rate) * scenario.basket;
  const random = new SeededDraws(seed);
  const draw = (n: number, rate: number) => {
    const totals: BuyerTotals = { members: 0, revenue: 0, revenueSquares: 0, buyers: 0 };
    for (let i = 0; i < n; i++) {
      const y = random.uniform() < rate ? random.logNormal(scenario.basket, scenario.sigma) : 0;
      totals.members++;
      totals.revenue += y;
      totals.revenueSquares += y * y;
      if (y > 0) totals.buyers++;
    }
    return totals;
  };
  let welchSignificant = 0;
  let significant = 0;
  let covered = 0;
  for (let run = 0; run < runs; run++) {
    const t = draw(scenario.treatment, scenario.treatmentRate ?? scenario.rate);
    const c = draw(scenario.control, scenario.rate);
    if (revenueVerdict(revenueLift(t, c), 'USD').status !== 'unclear') welchSignificant += revenueLift(t, c).ci95 ? 1 : 0;
    const lift = zeroInflatedRevenueLift(t, c, NAMES);
    const status = revenueVerdict(lift, 'USD', { notYet: lift.tooFewBuyers }).status;
    if (status === 'better' || status === 'worse') significant++;
    if (lift.ci95 && lift.ci95[0] <= truth && truth <= lift.ci95[1]) covered++;
  }
  return { welchSignificant: welchSignificant / runs, significant: significant / runs, coverage: covered / runs };
}

describe('A/A slot revenue, zero-inflated (2,000 runs each)', { timeout: SIMULATION_TIMEOUT }, () => {
  const scenarios = [
    { label: '400 personalised, 13 holdout, 5% buying, baskets of 60 (σ 1)', treatment: 400, control: 13, rate: 0.05, basket: 60, sigma: 1, seed: 301 },
    { label: '1,000 personalised, 40 holdout, 4% buying, baskets of 60 (σ 1.2)', treatment: 1000, control: 40, rate: 0.04, basket: 60, sigma: 1.2, seed: 302 },
    { label: '2,000 personalised, 200 holdout, 8% buying, baskets of 50 (σ 1)', treatment: 2000, control: 200, rate: 0.08, basket: 50, sigma: 1, seed: 303 },
  ];
  for (const { label, seed, ...scenario } of scenarios) {
    it(`calls a difference that is not there significant in at most 5% of runs: ${label}`, () => {
      const measured = aaRuns(scenario, 2000, seed);
      printFigure(`slot revenue A/A, ${label}`, {
        'Welch false positives': measured.welchSignificant,
        'zero-inflated false positives': measured.significant,
        'zero-inflated coverage': measured.coverage,
      });
      expect(measured.significant).toBeLessThanOrEqual(0.05);
      expect(measured.coverage).toBeGreaterThanOrEqual(0.93);
    });
  }

  it('still finds a real difference once both groups have buyers: 2,000 vs 400, 8% → 12% buying', () => {
    const measured = aaRuns({ treatment: 2000, control: 400, rate: 0.08, treatmentRate: 0.12, basket: 50, sigma: 1 }, 2000, 304);
    printFigure('slot revenue, 2,000 personalised vs 400 holdout, 8% → 12% buying, baskets of 50 (σ 1)', {
      'Welch found it': measured.welchSignificant,
      'zero-inflated found it': measured.significant,
      'zero-inflated coverage': measured.coverage,
    });
    expect(measured.coverage).toBeGreaterThanOrEqual(0.93);
    expect(measured.significant).toBeGreaterThan(0.5 * measured.welchSignificant);
  });

  it('the holdout of a dozen shoppers is where Welch’s test fails', () => {
    const measured = aaRuns(scenarios[0]!, 2000, scenarios[0]!.seed);
    // About half of 13-shopper holdouts have no buyer at all, and Welch then calls any positive treatment significant.
    expect(measured.welchSignificant).toBeGreaterThan(0.2);
  });
});
