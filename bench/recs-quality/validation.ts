/**
 * The tuning split: parameters are chosen on the end of the training data,
 * never on the test sessions. The last `fraction` of the training sessions
 * (in time order) is held out the way the test set was (items not seen in
 * the rest of training removed, sessions shorter than two views dropped),
 * and methods are trained on the rest.
 *
 * For Diginetica (no timestamps, sessions in time order over 146 days) the
 * last 1/146 of the training sessions stands for its last day, the same
 * protocol session-rec uses to tune (train on all days but the last,
 * validate on the last).
 */
import type { Dataset } from './recommender';

const DAY_MS = 86_400_000;

/** The last 24 hours of training (by the sessions' clock) held out. */
export function lastDay(dataset: Dataset): Dataset {
  return lastDays(dataset, 1);
}

/**
 * The last `days` days of training held out. One day of Diginetica is about
 * 4,300 pairs, and its days differ by ±0.02 in HR@10 (with the same model),
 * so a change of a few thousandths needs the week: 34,000 pairs, and as far
 * from the end of its training as the test week is from its own.
 */
export function lastDays(dataset: Dataset, days: number): Dataset {
  const times = dataset.trainMeta?.map((m) => m.at);
  const last = times?.[times.length - 1];
  if (!times || last === undefined || times.some((t) => t === undefined))
    throw new Error(`${dataset.name}: holding out days needs a clock on every training session`);
  const held = times.filter((t) => (t as number) > last - days * DAY_MS).length;
  return validationSplit(dataset, held / dataset.train.length);
}

export function validationSplit(dataset: Dataset, fraction: number): Dataset {
  const held = Math.min(dataset.train.length - 1, Math.max(1, Math.round(dataset.train.length * fraction)));
  const cut = dataset.train.length - held;
  const train = dataset.train.slice(0, cut);
  const known = new Set(train.flat());
  const test: string[][] = [];
  const testMeta: NonNullable<Dataset['testMeta']> = [];
  for (let s = cut; s < dataset.train.length; s++) {
    const items = (dataset.train[s] as string[]).filter((item) => known.has(item));
    if (items.length < 2) continue;
    test.push(items);
    const meta = dataset.trainMeta?.[s];
    if (meta) testMeta.push(meta);
  }
  return {
    name: `${dataset.name} (validation)`,
    train,
    test,
    ...(dataset.trainMeta ? { trainMeta: dataset.trainMeta.slice(0, cut), testMeta } : {}),
    source: `${dataset.source}; the last ${held.toLocaleString('en-US')} of ${dataset.train.length.toLocaleString('en-US')} training sessions held out for tuning`,
  };
}
