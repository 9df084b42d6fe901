/**
 * Simulated campaigns with a known truth, for measuring the methods: the
 * share of runs whose 95% interval contains the true difference (coverage),
 * and the share of A/A campaigns in which a daily reader would have declared
 * a difference (false positives). Seeded, so every figure is reproducible;
 * simulation.test.ts runs them and prints the table quoted in the README.
 * Members are drawn one by one and only their totals are kept, as the store
 * keeps them.
 */
import type { Interval } from '@trailmark/schema';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { conversionLift, pooledZTestP, type ConversionTotals } from './conversion-lift';
import { cupedRevenueLift } from './cuped';
import { Z95 } from './distributions';
import { revenueLift } from './revenue-lift';
import { sequentialConversionLift } from './sequential';
import { EMPTY_TOTALS, type CovariateTotals, type GroupTotals } from './totals';
import { zeroInflatedRevenueLift } from './zero-inflated';

/** Seeded random draws: uniform from xoroshiro128+, normal by Box–Muller (each pair of uniforms gives two). */
export class SeededDraws {
  readonly #generator: ReturnType<typeof xoroshiro128plus>;
  #spareNormal: number | null = null;

  constructor(seed: number) {
    this.#generator = xoroshiro128plus(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.#generator);
  }

  /** Standard normal. */
  normal(): number {
    if (this.#spareNormal !== null) {
      const kept = this.#spareNormal;
      this.#spareNormal = null;
      return kept;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Log-normal with the given mean and shape σ (the σ of its log). */
  logNormal(mean: number, sigma: number): number {
    return Math.exp(Math.log(mean) - (sigma * sigma) / 2 + sigma * this.normal());
  }
}

const contains = ([low, high]: Interval, x: number) => low <= x && x <= high;
const width = ([low, high]: Interval) => high - low;

type Totals = GroupTotals & CovariateTotals;

function addMember(totals: Totals, converted: boolean, y: number, x = 0): void {
  totals.members += 1;
  if (converted) totals.converted += 1;
  totals.revenue += y;
  totals.revenueSquares += y * y;
  if (y > 0) totals.buyers += 1;
  totals.spendBefore += x;
  totals.spendBeforeSquares += x * x;
  totals.spendBeforeTimesRevenue += x * y;
}

// ─── Conversion rate, read once ─────────────────────────────────────────────

export interface ConversionScenario {
  treatment: { members: number; rate: number };
  control: { members: number; rate: number };
}

export interface ConversionCoverage {
  runs: number;
  /** Newcombe interval (the library's). */
  coverage: number;
  /** Textbook Wald interval, for contrast. */
  waldCoverage: number;
  /** Runs where the p-value (< 5%) and the interval (excludes 0) disagree. */
  disagreement: number;
}

export function conversionCoverage(scenario: ConversionScenario, runs: number, seed: number): ConversionCoverage {
  const random = new SeededDraws(seed);
  const truth = scenario.treatment.rate - scenario.control.rate;
  let covered = 0;
  let waldCovered = 0;
  let disagree = 0;
  const draw = (members: number, rate: number): ConversionTotals => {
    let converted = 0;
    for (let i = 0; i < members; i++) if (random.uniform() < rate) converted++;
    return { members, converted };
  };
  for (let run = 0; run < runs; run++) {
    const t = draw(scenario.treatment.members, scenario.treatment.rate);
    const c = draw(scenario.control.members, scenario.control.rate);
    const lift = conversionLift(t, c);
    if (contains(lift.ci95!, truth)) covered++;
    if (contains(waldInterval(t, c), truth)) waldCovered++;
    const excludesZero = lift.ci95![0] > 0 || lift.ci95![1] < 0;
    if (excludesZero !== lift.pValue! < 0.05) disagree++;
  }
  return { runs, coverage: covered / runs, waldCoverage: waldCovered / runs, disagreement: disagree / runs };
}

/** The textbook interval, kept here only to show why the library does not use it. */
function waldInterval(t: ConversionTotals, c: ConversionTotals): Interval {
  const pT = t.converted / t.members;
  const pC = c.converted / c.members;
  const half = Z95 * Math.sqrt((pT * (1 - pT)) / t.members + (pC * (1 - pC)) / c.members);
  return [pT - pC - half, pT - pC + half];
}

// ─── Revenue per member, read once ──────────────────────────────────────────

export interface RevenueScenario {
  /** Members per group. */
  members: number;
  treatment: { rate: number; basket: number };
  control: { rate: number; basket: number };
  /** Shape of the log-normal basket (σ of its log). */
  basketSigma: number;
}

export function revenueCoverage(scenario: RevenueScenario, runs: number, seed: number): { runs: number; coverage: number } {
  const random = new SeededDraws(seed);
  const truth = scenario.treatment.rate * scenario.treatment.basket - scenario.control.rate * scenario.control.basket;
  let covered = 0;
  const draw = ({ rate, basket }: { rate: number; basket: number }): Totals => {
    const totals = { ...EMPTY_TOTALS };
    for (let i = 0; i < scenario.members; i++) {
      const converted = random.uniform() < rate;
      addMember(totals, converted, converted ? random.logNormal(basket, scenario.basketSigma) : 0);
    }
    return totals;
  };
  for (let run = 0; run < runs; run++) {
    const lift = revenueLift(draw(scenario.treatment), draw(scenario.control));
    if (lift.ci95 && contains(lift.ci95, truth)) covered++;
  }
  return { runs, coverage: covered / runs };
}

// ─── CUPED ──────────────────────────────────────────────────────────────────

/**
 * Shoppers with a buying propensity w = U² (U uniform) and a spending level
 * s (log-normal, mean 1, σ = 1): in the 30 days before, each makes up to 3
 * orders, each with probability 0.9·w; in the window, one order with
 * probability rate·w. An order is worth 50·s·L, L log-normal with mean 1
 * and σ = 0.3. Spend before and after share w and s, so they are
 * correlated (ρ ≈ 0.37); `independentBefore` takes the spend before from
 * another shopper instead (no correlation). True revenue per member:
 * rate · E[w] · 50 · E[s] = rate · 50/3.
 */
export interface CupedScenario {
  members: number;
  treatmentRate: number;
  controlRate: number;
  independentBefore?: boolean;
}

export interface CupedCoverage {
  runs: number;
  coverage: number;
  welchCoverage: number;
  /** Coverage of the report's plain revenue figure (zero-inflated.ts) on the same data. */
  plainCoverage: number;
  /** Mean width of the CUPED interval / mean width of the plain Welch interval on the same data. */
  widthRatio: number;
  /** Mean width of the CUPED interval / mean width of the report's plain revenue interval on the same data. */
  plainWidthRatio: number;
  meanVarianceReduction: number;
}

export function cupedCoverage(scenario: CupedScenario, runs: number, seed: number): CupedCoverage {
  const random = new SeededDraws(seed);
  const truth = ((scenario.treatmentRate - scenario.controlRate) * 50) / 3;
  const order = (level: number) => 50 * level * random.logNormal(1, 0.3);
  const spendBefore = (w: number, level: number) => {
    let orders = 0;
    for (let i = 0; i < 3; i++) if (random.uniform() < 0.9 * w) orders++;
    return orders > 0 ? orders * order(level) : 0;
  };
  const draw = (rate: number): Totals => {
    const totals = { ...EMPTY_TOTALS };
    for (let i = 0; i < scenario.members; i++) {
      const w = random.uniform() ** 2;
      const level = random.logNormal(1, 1);
      const x = scenario.independentBefore ? spendBefore(random.uniform() ** 2, random.logNormal(1, 1)) : spendBefore(w, level);
      const converted = random.uniform() < rate * w;
      addMember(totals, converted, converted ? order(level) : 0, x);
    }
    return totals;
  };
  let covered = 0;
  let welchCovered = 0;
  let plainCovered = 0;
  let cupedWidth = 0;
  let welchWidth = 0;
  let plainWidth = 0;
  let reduction = 0;
  for (let run = 0; run < runs; run++) {
    const t = draw(scenario.treatmentRate);
    const c = draw(scenario.controlRate);
    const cuped = cupedRevenueLift(t, c);
    const welch = revenueLift(t, c);
    const plain = zeroInflatedRevenueLift(t, c);
    if (contains(cuped.ci95!, truth)) covered++;
    if (contains(welch.ci95!, truth)) welchCovered++;
    if (contains(plain.ci95!, truth)) plainCovered++;
    cupedWidth += width(cuped.ci95!);
    welchWidth += width(welch.ci95!);
    plainWidth += width(plain.ci95!);
    reduction += cuped.varianceReduction!;
  }
  return {
    runs,
    coverage: covered / runs,
    welchCoverage: welchCovered / runs,
    plainCoverage: plainCovered / runs,
    widthRatio: cupedWidth / welchWidth,
    plainWidthRatio: cupedWidth / plainWidth,
    meanVarianceReduction: reduction / runs,
  };
}

// ─── Read every day ─────────────────────────────────────────────────────────

export interface DailyScenario {
  days: number;
  /** New members per group per day. */
  membersPerDay: number;
  treatmentRate: number;
  controlRate: number;
  mixingSd?: number;
}

export interface DailyReading {
  runs: number;
  /** Runs in which the always-valid interval missed the true difference on at least one day (an A/A campaign: excluded 0). */
  sequentialMiss: number;
  /** Runs in which the always-valid relative interval, on a day it was given, missed the true relative lift. */
  sequentialRelativeMiss: number;
  /** Runs in which the fixed-horizon interval missed the truth on at least one day (daily peeking). */
  peekingMiss: number;
  /** Runs in which the pooled z-test's p-value was below 5% on at least one day (A/A: false positives of peeking). */
  peekingSignificant: number;
  /** Runs in which the fixed-horizon interval missed the truth on the last day (read once, as intended). */
  lastDayMiss: number;
  /** Runs in which the always-valid interval excluded 0 on some day (with a true effect: detections). */
  sequentialDetected: number;
  /** Median day of that first detection, among the runs that detected. */
  medianDetectionDay: number | null;
  /** Always-valid width / fixed-horizon width on the last day (mean over runs). */
  lastDayWidthRatio: number;
}

export function dailyReading(scenario: DailyScenario, runs: number, seed: number): DailyReading {
  const random = new SeededDraws(seed);
  const truth = scenario.treatmentRate - scenario.controlRate;
  const relativeTruth = scenario.treatmentRate / scenario.controlRate - 1;
  const options = scenario.mixingSd === undefined ? {} : { mixingSd: scenario.mixingSd };
  let sequentialMiss = 0;
  let sequentialRelativeMiss = 0;
  let peekingMiss = 0;
  let peekingSignificant = 0;
  let lastDayMiss = 0;
  let sequentialDetected = 0;
  let widthRatio = 0;
  const detectionDays: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t = { members: 0, converted: 0 };
    const c = { members: 0, converted: 0 };
    let seqMissed = false;
    let relativeMissed = false;
    let peekMissed = false;
    let peekSignificant = false;
    let detectedOn: number | null = null;
    for (let day = 1; day <= scenario.days; day++) {
      for (let i = 0; i < scenario.membersPerDay; i++) {
        t.members++;
        if (random.uniform() < scenario.treatmentRate) t.converted++;
        c.members++;
        if (random.uniform() < scenario.controlRate) c.converted++;
      }
      const lift = sequentialConversionLift(t, c, options);
      const sequential = lift.ci95!;
      if (lift.relativeCi95 && !contains(lift.relativeCi95, relativeTruth)) relativeMissed = true;
      const fixed = conversionLift(t, c).ci95!;
      if (!contains(sequential, truth)) seqMissed = true;
      if (!contains(fixed, truth)) peekMissed = true;
      if (pooledZTestP(t, c) < 0.05) peekSignificant = true;
      if (detectedOn === null && (sequential[0] > 0 || sequential[1] < 0)) detectedOn = day;
      if (day === scenario.days) {
        if (!contains(fixed, truth)) lastDayMiss++;
        widthRatio += width(sequential) / width(fixed);
      }
    }
    if (seqMissed) sequentialMiss++;
    if (relativeMissed) sequentialRelativeMiss++;
    if (peekMissed) peekingMiss++;
    if (peekSignificant) peekingSignificant++;
    if (detectedOn !== null) {
      sequentialDetected++;
      detectionDays.push(detectedOn);
    }
  }
  detectionDays.sort((a, b) => a - b);
  return {
    runs,
    sequentialMiss: sequentialMiss / runs,
    sequentialRelativeMiss: sequentialRelativeMiss / runs,
    peekingMiss: peekingMiss / runs,
    peekingSignificant: peekingSignificant / runs,
    lastDayMiss: lastDayMiss / runs,
    sequentialDetected: sequentialDetected / runs,
    medianDetectionDay: detectionDays.length > 0 ? detectionDays[Math.floor(detectionDays.length / 2)]! : null,
    lastDayWidthRatio: widthRatio / runs,
  };
}

/**
 * Each simulation takes about a second on an idle core; the test timeout allows for a
 * machine busy with other suites, where the default 5 s is too tight.
 */
export const SIMULATION_TIMEOUT = 60_000;

/** Prints measured shares (0–1) as percentages, in the form the README quotes: the test output is the reproducible record. */
export function printFigure(label: string, shares: Record<string, number | null>): void {
  const parts = Object.entries(shares).map(([name, value]) => `${name} ${value === null ? '–' : `${(value * 100).toFixed(1)}%`}`);
  console.log(`[measured] ${label}: ${parts.join(', ')}`);
}
