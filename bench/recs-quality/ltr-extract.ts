/**
 * Candidate features of the home slot, for fitting a learned blend of its
 * sources (ltr-fit.ts). For each (prefix, next product) pair of a held-out
 * day, the home slot's sources are asked as rankCandidates asks them (over
 * the in-memory replay of the days before), and every candidate is kept with
 * each source's scaled score and rank, its place in the session and its
 * total views. The fallback (overall popularity) is kept apart.
 *
 *   npx tsx bench/recs-quality/ltr-extract.ts --out /tmp/ltr [--fit-days 4] [--fit-from 1] [--test]
 *
 * Writes DIR/validation.json (the last training day, models replayed on the
 * days before it) and DIR/fit-N.json (the N-th day before it, N = 1..fit-days,
 * each replayed on the days before that day): no pair of a day is featured by
 * a replay that holds that day. `--test` writes DIR/test.json (the test week,
 * replayed on all training) instead: scored once, for the final choice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyEvent } from '../../collector/src/profiles/apply-event';
import { newProfile } from '../../collector/src/profiles/profile';
import { scope, type Scored } from '../../collector/src/recommend/aggregate-store';
import { sessionKey } from '../../collector/src/recommend/session-store';
import { linked, memoTotals, popular, recentlyViewed, secondHop, sessionNeighbours, sessionSeeds, TUNING } from '../../collector/src/recommend/strategies';
import { loadDiginetica } from './diginetica';
import { replayInMemory, type InMemoryModel } from './in-memory-replay';
import { nextItemPairs } from './metrics';
import type { Dataset } from './recommender';
import { VIEW_GAP_MS, viewMessage } from './trailmark';
import { csvWriter } from './ltr-csv';
import { lastDay } from './validation';

/** One candidate: 0 where a source does not list it. */
export interface Candidate {
  id: string;
  nb: number;
  nbRank: number;
  cv: number;
  cvRank: number;
  hop: number;
  hopRank: number;
  rv: number;
  /** Place among the session's products, the latest 0; -1 when not in the session. */
  pos: number;
  views: number;
  pop: number;
  /** Co-views of the session's latest product alone (scaled), and its rank there. */
  cvLast: number;
  cvLastRank: number;
  /** Seeds (the session's latest products) whose co-view lists hold it. */
  seedLinks: number;
  /** Trending (a day's half-life) overall, scaled. */
  trend: number;
}

export interface Query {
  target: string;
  /** Views in the prefix (repeats counted) and distinct products of the session. */
  len: number;
  n: number;
  cands: Candidate[];
  /** Overall popularity, best first: below every candidate. */
  fallback: string[];
}

const rankMap = (list: readonly Scored[]) => new Map(list.map((s, i) => [s.productId, { score: s.score, rank: i + 1 }]));

export function extract(model: InMemoryModel, test: readonly (readonly string[])[], meta: Dataset['testMeta'], each: (q: Query) => void): void {
  const aggregates = model.sources.aggregates;
  const popAll = popular(aggregates, scope.all, new Set());
  const popMap = rankMap(popAll);
  const trendMap = rankMap(popular(aggregates, scope.trendingAll, new Set()));
  for (const { session, prefix, target } of nextItemPairs(test)) {
    const start = meta?.[session]?.at ?? 0;
    const profile = newProfile('offline-shopper', start);
    prefix.forEach((productId, i) => applyEvent(profile, viewMessage(`test-${i}`, 'offline-shopper', productId, start + i * VIEW_GAP_MS)));
    const now = start + (prefix.length - 1) * VIEW_GAP_MS;
    const exclude = new Set<string>();
    const totals = memoTotals(aggregates);
    const current = profile.session.views;
    const recent = [...current].reverse();
    const seeds = sessionSeeds(recent);
    const neighbours = sessionNeighbours(model.sources.sessions!, current, sessionKey(profile.profileId, profile.session.id), now, exclude, totals);
    const coViews = linked(aggregates, 'v', seeds, exclude, totals);
    const hop =
      current.length === 1 && TUNING.secondHopHome > 0
        ? secondHop(
            aggregates,
            [
              { candidates: neighbours, weight: TUNING.neighboursHome },
              { candidates: coViews, weight: TUNING.coViewsHome },
            ],
            current,
            exclude,
            totals,
          )
        : [];
    const rv = recentlyViewed(seeds, exclude);
    const cvLast = rankMap(
      linked(
        aggregates,
        'v',
        seeds.slice(0, 1).map((s) => ({ ...s, weight: 1 })),
        exclude,
        totals,
      ),
    );
    const seedLinks = new Map<string, number>();
    for (const seed of seeds)
      for (const l of aggregates.neighbours('v', seed.productId, TUNING.neighbours)) seedLinks.set(l.productId, (seedLinks.get(l.productId) ?? 0) + 1);
    const lists = { nb: rankMap(neighbours), cv: rankMap(coViews), hop: rankMap(hop), rv: rankMap(rv) };
    const ids = new Set<string>([...lists.nb.keys(), ...lists.cv.keys(), ...lists.hop.keys(), ...lists.rv.keys()]);
    const found = aggregates.totals([...ids]);
    const cands: Candidate[] = [];
    for (const id of ids) {
      const nb = lists.nb.get(id);
      const cv = lists.cv.get(id);
      const h = lists.hop.get(id);
      cands.push({
        id,
        nb: nb?.score ?? 0,
        nbRank: nb?.rank ?? 0,
        cv: cv?.score ?? 0,
        cvRank: cv?.rank ?? 0,
        hop: h?.score ?? 0,
        hopRank: h?.rank ?? 0,
        rv: lists.rv.get(id)?.score ?? 0,
        pos: recent.indexOf(id),
        views: found.get(id)?.views ?? 0,
        pop: popMap.get(id)?.score ?? 0,
        cvLast: cvLast.get(id)?.score ?? 0,
        cvLastRank: cvLast.get(id)?.rank ?? 0,
        seedLinks: seedLinks.get(id) ?? 0,
        trend: trendMap.get(id)?.score ?? 0,
      });
    }
    each({
      target,
      len: prefix.length,
      n: current.length,
      cands,
      fallback: popAll
        .slice(0, 20)
        .map((s) => s.productId)
        .filter((id) => !ids.has(id)),
    });
  }
}

function featureFile(dir: string, name: string, split: Dataset): void {
  const started = performance.now();
  const model = replayInMemory(split.train, split.trainMeta);
  let pairs = 0;
  if (name === 'test') {
    // Too many pairs for one JSON string: the CSV of ltr-dump.ts, written as the pairs come.
    const csv = csvWriter(dir, name, Number(argument('pool') ?? 50));
    extract(model, split.test, split.testMeta, (q) => (csv.add(q), pairs++));
    csv.close();
  } else {
    const queries: Query[] = [];
    extract(model, split.test, split.testMeta, (q) => queries.push(q));
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(queries));
    pairs = queries.length;
  }
  console.error(`${name}: ${split.train.length} sessions replayed, ${pairs} pairs, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const argument = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const dir = argument('out') ?? '/tmp/ltr';
mkdirSync(dir, { recursive: true });
const loaded = await loadDiginetica();
if (!('dataset' in loaded)) throw new Error(loaded.skipped);
if (process.argv.includes('--test')) featureFile(dir, 'test', loaded.dataset);
else {
  let split = lastDay(loaded.dataset);
  const from = Number(argument('fit-from') ?? 0);
  if (from === 0) featureFile(dir, 'validation', split);
  const fitDays = Number(argument('fit-days') ?? 4);
  for (let d = 1; d <= fitDays; d++) {
    split = lastDay({ ...split, test: [], testMeta: [] });
    if (d >= from) featureFile(dir, `fit-${d}`, split);
  }
}
