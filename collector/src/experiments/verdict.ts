/**
 * One sentence per lift for the dashboard, e.g.
 *   "treatment converts 4.1 points better (95% interval 1.2 to 7.0); significant; ROI +320% (95% interval +40% to +610%; 0% is break-even)"
 *   "not yet distinguishable: treatment converts 0.8 points better (95% interval −1.9 to 3.5); about 1,900 more shoppers per group needed"
 * with a status the page can colour by. A difference is called significant
 * only when its interval excludes zero and its p-value is below 5% (the two
 * agree except at the boundary, where "not yet" is the honest word).
 */
import type { ExperimentLift, MembersNeeded, Roi, Verdict } from '@trailmark/schema';

export interface VerdictOptions {
  /** From `conversionMembersNeeded` or `zeroInflatedMembersNeeded`: said while the difference is not yet distinguishable. */
  needed?: MembersNeeded | null;
  /**
   * From `returnOnInvestment`: said once the difference is significant.
   * Leave it out while revenue cannot be judged yet (too few buyers): the
   * ROI is made of that revenue difference.
   */
  roi?: Roi | null;
  /** What the groups are called (default "treatment" and "control group"; slots say "personalised" and "holdout"). */
  treatmentName?: string;
  controlName?: string;
  /** Who the members are (default "shoppers"). */
  noun?: string;
  /** How a rate's difference is said (default "converts … better / worse"; a click-through rate "is clicked … more / less often"). */
  rate?: { verb: string; more: string; less: string };
  /**
   * Why the difference cannot be called significant yet whatever its
   * interval (zero-inflated.ts: too few buyers), said in its place.
   */
  notYet?: string | null;
  /**
   * Why a fixed-horizon difference is not a finding yet although its
   * interval excludes 0 (the campaign still runs, or members are still
   * inside their window): read every day, a fixed interval finds
   * differences that are not there (about 30% of A/A campaigns in 30 days,
   * README). Said in place of "significant", with status `unclear`.
   */
  provisional?: string | null;
}

const CONVERTS = { verb: 'converts', more: 'better', less: 'worse' };

/** Verdict on a conversion-rate lift (`conversionLift` or `sequentialConversionLift`). */
export function conversionVerdict(lift: ExperimentLift, options: VerdictOptions = {}): Verdict {
  const { verb, more, less } = options.rate ?? CONVERTS;
  return verdict(
    lift,
    options,
    (absolute) => `${verb} ${points(Math.abs(absolute))} ${absolute >= 0 ? more : less}`,
    (x) => (x * 100).toFixed(1),
  );
}

/** Verdict on a revenue-per-member lift (`revenueLift` or `cupedRevenueLift`), amounts in `currency`. */
export function revenueVerdict(lift: ExperimentLift, currency: string, options: VerdictOptions = {}): Verdict {
  return verdict(
    lift,
    options,
    (absolute) => `brings ${money(Math.abs(absolute))} ${currency} ${absolute >= 0 ? 'more' : 'less'} per ${singular(options.noun ?? 'shoppers')}`,
    money,
  );
}

function verdict(lift: ExperimentLift, options: VerdictOptions, says: (absolute: number) => string, format: (x: number) => string): Verdict {
  const treatment = options.treatmentName ?? 'treatment';
  if (lift.absolute === null || lift.ci95 === null) return { status: 'unknown', text: 'not enough data yet' };
  const [low, high] = lift.ci95;
  const interval = `95% interval ${signed(format(low))} to ${signed(format(high))}`;
  const significant = (low > 0 || high < 0) && (lift.pValue === null || lift.pValue < 0.05) && !options.notYet;
  if (significant && options.provisional) {
    return { status: 'unclear', text: `provisional: ${treatment} ${says(lift.absolute)} (${interval}); ${options.provisional}` };
  }
  if (significant) {
    const text = `${treatment} ${says(lift.absolute)} (${interval}); significant${options.roi ? roiText(options.roi) : ''}`;
    return { status: lift.absolute > 0 ? 'better' : 'worse', text };
  }
  const seen = lift.absolute === 0 ? `no difference seen (${interval})` : `${treatment} ${says(lift.absolute)} (${interval})`;
  const needed = options.needed && options.needed.total > 0 ? `; ${neededText(options.needed, options)}` : '';
  const why = options.notYet ? `; ${options.notYet}` : '';
  return { status: 'unclear', text: `not yet distinguishable: ${seen}${why}${needed}` };
}

/**
 * "; ROI +320% (95% interval 0% to +650%; 0% is break-even)": ROI is
 * (incremental revenue − cost) / cost, said as a percentage because "3.2×"
 * read as "3.2 times the cost back" when it means 4.2 times; the interval
 * says whether it surely paid.
 */
function roiText({ roi, roiCi95 }: Roi): string {
  if (roi === null) return '';
  return `; ROI ${roiPercent(roi)} (${roiCi95 ? `95% interval ${roiPercent(roiCi95[0])} to ${roiPercent(roiCi95[1])}; ` : ''}0% is break-even)`;
}

/** 3.2 → "+320%", 2999 → "+299,900%", −1.5 → "−150%". */
function roiPercent(x: number): string {
  const percent = Math.round(x * 100);
  const text = Math.abs(percent).toLocaleString('en-US');
  return percent > 0 ? `+${text}%` : percent < 0 ? `−${text}%` : '0%';
}

function neededText(needed: MembersNeeded, options: VerdictOptions): string {
  const noun = options.noun ?? 'shoppers';
  const evenSplit = Math.abs(needed.treatment - needed.control) <= 0.1 * Math.max(needed.treatment, needed.control);
  if (evenSplit) return `about ${about(Math.max(needed.treatment, needed.control))} more ${noun} per group needed`;
  const control = options.controlName ?? 'control group';
  return `about ${about(needed.total)} more ${noun} needed, ${about(needed.control)} of them in the ${control}`;
}

/** 0.041 → "4.1 points". */
function points(x: number): string {
  const text = (x * 100).toFixed(1);
  return `${text} ${text === '1.0' ? 'point' : 'points'}`;
}

function money(x: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A minus sign, not a hyphen, for negative figures. */
function signed(text: string): string {
  if (/^-0(\.0*)?$/.test(text)) return text.slice(1);
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** Two significant figures with thousands separators: 1873 → "1,900". */
function about(n: number): string {
  if (n < 100) return String(Math.ceil(n));
  const unit = 10 ** (Math.floor(Math.log10(n)) - 1);
  return (Math.round(n / unit) * unit).toLocaleString('en-US');
}

function singular(noun: string): string {
  return noun.endsWith('s') ? noun.slice(0, -1) : noun;
}
