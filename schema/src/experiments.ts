/**
 * Figures of a controlled experiment (a campaign against its control group,
 * a slot against its holdout), as the admin API answers them (contract
 * section 8) and the dashboard reads them. Computed by
 * collector/src/experiments from running totals per group.
 */

export type Interval = [low: number, high: number];

/** Contract section 8, `L`: the lift of treatment over control. */
export interface ExperimentLift {
  /** Treatment minus control: a difference of rates (0.041 = 4.1 points) or of revenue per member. */
  absolute: number | null;
  /** absolute / control: 0.25 means treatment is 25% above control. */
  relative: number | null;
  /** 95% interval of `absolute`. */
  ci95: Interval | null;
  /**
   * 95% interval of `relative`: for a conversion rate Koopman's score interval, which excludes 0 exactly when
   * `pValue` < 5% (null while control has no conversion); for revenue the log-ratio interval (null while either
   * mean is 0 or neither group varies); for the always-valid interval, always valid too: the difference over
   * control's rate, each bounded at 97.5% (null until control's rate is bounded away from 0; it may hold 0 on a
   * day the absolute interval excludes it).
   */
  relativeCi95: Interval | null;
  /** Two-sided p-value of "no difference". */
  pValue: number | null;
}

/** The CUPED lift of revenue per member, with what the adjustment achieved; no interval or p-value before each group has 10 buyers. */
export interface CupedLift extends ExperimentLift {
  /** Revenue change per unit of spend before, from both groups pooled (0 when nobody spent before). */
  theta: number | null;
  /** 1 − Var(adjusted difference) / Var(plain difference): 0.3 means the interval is √0.7 ≈ 84% as wide. */
  varianceReduction: number | null;
}

/** Contract section 8, `G`: one group's figures. */
export interface GroupFigures {
  members: number;
  /** Members contacted (a delivery or an offer view); always 0 for control. */
  reached: number;
  converted: number;
  conversionRate: number | null;
  revenue: number;
  revenuePerMember: number | null;
}

export interface Roi {
  /** (treatment's revenue per member − control's) × treatment members. */
  incrementalRevenue: number | null;
  /** Cost per contact × members reached. */
  cost: number;
  /** (incrementalRevenue − cost) / cost; null when cost is 0 or nothing is known yet. */
  roi: number | null;
  incrementalRevenueCi95: Interval | null;
  roiCi95: Interval | null;
}

/** More members each group needs before a difference as large as the one observed would be told apart (80% power). */
export interface MembersNeeded {
  /** More treatment members needed (0 when it has enough). */
  treatment: number;
  /** More control members needed (0 when it has enough). */
  control: number;
  /** treatment + control. */
  total: number;
}

/** The method behind each figure, in words (the report's `methods`). */
export interface ExperimentMethods {
  groups: string;
  conversionRate: string;
  revenuePerMember: string;
  cuped: string;
  sequential: string;
  roi: string;
  membersNeeded: string;
}

export type VerdictStatus = 'better' | 'worse' | 'unclear' | 'unknown';

/** A lift in one sentence, with a status to colour it by. */
export interface Verdict {
  status: VerdictStatus;
  text: string;
}
