/**
 * Interleaved rounds: several kinds of request timed in turn, round after
 * round, so a machine that gets busier or quieter during the run moves every
 * kind alike, and each kind's rate is compared with the reference's of the
 * same round. Pure: tested in bench/test.
 */

/** The kinds in the order of round `round`: each round starts one later, so every kind takes every position. */
export function roundOrder<T>(kinds: readonly T[], round: number): T[] {
  const start = round % kinds.length;
  return [...kinds.slice(start), ...kinds.slice(0, start)];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Each round's value divided by the reference's of the same round. */
export function ratiosByRound(values: readonly number[], reference: readonly number[]): number[] {
  if (values.length !== reference.length) throw new Error(`${values.length} rounds against ${reference.length} of the reference`);
  return values.map((value, i) => value / reference[i]!);
}
