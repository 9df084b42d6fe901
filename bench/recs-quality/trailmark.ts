/**
 * Our recommender in the offline harness: training sessions are replayed as
 * `Product Viewed` messages through ShopModel.ingest — the code ShopState
 * runs for every drained batch — on an in-process SQLite, and predictions
 * come from the slot ranking the Worker serves (rank.ts).
 *
 * A test prefix reaches the shopper's profile the way the Durable Object
 * applies it: its views go through applyEvent (the profile reducer) on the
 * profile the shopper had (a returning simulated shopper) or a new one
 * (Diginetica: every session is a new shopper). They are not learned into
 * the shop-wide aggregates: like the baselines, the model is the one trained
 * on the training sessions, and no test session teaches it anything.
 *
 * The home slot is asked in two ways:
 * - settled: after the prefix's events are in the profile (what a page sees
 *   once the drain has applied them), ranked by rankCandidates;
 * - immediately: before they are, as a page asks right after its events were
 *   acknowledged: through ShopModel.recommend, the call the recommendation
 *   route makes, with the prefix's views as the browser's pending events
 *   (the latest 50, as the IngestShard hands them over), so read-your-writes
 *   (as-if-stored.ts), ranking and merchandising all run as they do in the
 *   Durable Object.
 *
 * The home slot (the session-aware personal ranking) and the product slot
 * (for the last viewed product) share one trained model. Rows read per
 * request and written per replayed event are counted on the way.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredMessage } from '@trailmark/schema';
import { applyEvent } from '../../collector/src/profiles/apply-event';
import { newProfile, type Profile } from '../../collector/src/profiles/profile';
import { rankCandidates, type RankSources } from '../../collector/src/recommend/rank';
import { SHOP_MIGRATIONS, ShopModel, type IngestItem } from '../../collector/src/shop/shop-model';
import { MAX_MESSAGES_RETURNED } from '../../collector/src/storage/pending-view';
import { migrate } from '../../collector/src/lib/migrate';
import { openSqlJs, type SqlCounters } from '../lib/sqljs-sql';
import type { RecommenderCost, SessionMeta, SessionRecommender } from './recommender';

const BASE_TIME = Date.UTC(2026, 0, 1);
/** Sessions applied per ingest call, like a drain batch. */
const REPLAY_BATCH = 300;
/** Views of a session are this far apart. */
export const VIEW_GAP_MS = 10_000;

interface Trained {
  model: ShopModel;
  sources: RankSources;
  lastTime: number;
  counters: SqlCounters;
  events: number;
  rowsWrittenPerEvent: number;
  rowsReadPerEvent: number;
}

/** One replay, shared by the slot views of a dataset. */
class SharedModel {
  private trained?: Promise<Trained>;

  constructor(private readonly dataset: string) {}

  train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): Promise<Trained> {
    this.trained ??= replay(sessions, meta, replayCache ?? (replayCacheDir ? replayCacheFile(replayCacheDir, this.dataset, sessions) : undefined));
    return this.trained;
  }

  get(): Promise<Trained> {
    if (!this.trained) throw new Error('train() first');
    return this.trained;
  }
}

let replayCache: string | undefined;
let replayCacheDir: string | undefined;

/**
 * Tuning only: the replayed database is saved to `file` and loaded from it
 * next time instead of replaying again (delete the file after changing what
 * an event writes). Reads and rankings are measured as usual.
 */
export function cacheReplayIn(file: string): void {
  replayCache = file;
}

/**
 * The benchmark (`--replay-cache DIR`): each dataset's replayed database is
 * kept in `dir` under a name that digests the sessions and every source file
 * of the collector and schema that can change what an event writes (all but
 * READ_SIDE), so a cached replay is used only by the code that would have
 * written the same rows. Replaying Diginetica takes most of the quality
 * part's hour; with the cache, its rows can be measured in separate runs.
 */
export function cacheReplaysIn(dir: string): void {
  replayCacheDir = dir;
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Modules that only rank (they run in no drain): a change to them keeps a cached replay valid. */
export const READ_SIDE = [
  'collector/src/recommend/rank.ts',
  'collector/src/recommend/strategies.ts',
  'collector/src/recommend/session-neighbours.ts',
  'collector/src/recommend/serve.ts',
  'collector/src/recommend/recommend-routes.ts',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(REPO, dir), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .sort();
}

export function replayCacheFile(dir: string, dataset: string, sessions: readonly (readonly string[])[]): string {
  const digest = createHash('sha256');
  for (const file of [...sourceFiles('collector/src'), ...sourceFiles('schema/src'), 'bench/recs-quality/trailmark.ts'].filter((f) => !READ_SIDE.includes(f))) {
    digest.update(file).update(readFileSync(path.join(REPO, file)));
  }
  for (const session of sessions) digest.update(session.join(',')).update('\n');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${dataset.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${digest.digest('hex').slice(0, 16)}.sqlite`);
}

async function replay(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[], cacheFile?: string): Promise<Trained> {
  if (cacheFile && existsSync(cacheFile) && existsSync(`${cacheFile}.json`)) {
    const { sql, counters } = await openSqlJs(readFileSync(cacheFile));
    const saved = JSON.parse(readFileSync(`${cacheFile}.json`, 'utf8')) as Pick<Trained, 'lastTime' | 'events' | 'rowsWrittenPerEvent' | 'rowsReadPerEvent'>;
    const model = new ShopModel(sql);
    return { model, sources: model.rankSources(), counters, ...saved };
  }
  const { sql, db, transaction, counters } = await openSqlJs();
  const model = new ShopModel(sql);
  migrate(sql, SHOP_MIGRATIONS);
  const before = { ...counters };
  let lastTime = BASE_TIME;
  let events = 0;
  let batch: IngestItem[] = [];
  const flush = () => {
    if (batch.length) transaction(() => model.ingest(batch));
    batch = [];
  };
  sessions.forEach((session, s) => {
    const m = meta?.[s];
    // Without a clock, sessions are a minute apart, in the order given.
    const start = m?.at ?? BASE_TIME + s * 60_000;
    const anonymousId = m?.shopper ?? `session-${s}`;
    session.forEach((productId, i) => {
      const at = start + i * VIEW_GAP_MS;
      lastTime = Math.max(lastTime, at);
      batch.push({ message: viewMessage(`train-${s}-${i}`, anonymousId, productId, at, m?.region), idHashes: [] });
      events++;
    });
    if ((s + 1) % REPLAY_BATCH === 0) flush();
  });
  flush();
  const summary = {
    lastTime,
    events,
    rowsWrittenPerEvent: (counters.rowsWritten - before.rowsWritten) / Math.max(1, events),
    rowsReadPerEvent: (counters.rowsRead - before.rowsRead) / Math.max(1, events),
  };
  // The shop's catalog, as its admin loads it: the route shows only named products in stock.
  const products = [...new Set(sessions.flat())].map((productId) => ({ productId, name: productId }));
  transaction(() => model.loadCatalog(products, lastTime));
  if (cacheFile) {
    // Exporting frees sql.js's prepared statements: go on with the saved copy.
    writeFileSync(cacheFile, db.export());
    writeFileSync(`${cacheFile}.json`, JSON.stringify(summary));
    return replay(sessions, meta, cacheFile);
  }
  return { model, sources: model.rankSources(), counters, ...summary };
}

export function viewMessage(messageId: string, anonymousId: string, productId: string, at: number, region?: string): StoredMessage {
  const iso = new Date(at).toISOString();
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId,
    anonymousId,
    timestamp: iso,
    receivedAt: iso,
    properties: { product_id: productId },
    context: { geo: region ? { country: region } : {}, device: { type: 'desktop' }, bot: false },
  };
}

export type Moment = 'settled' | 'immediately';

class SlotView implements SessionRecommender {
  private requests = 0;
  private rowsRead = 0;
  private ms = 0;
  private trained?: Trained;

  constructor(
    readonly name: string,
    private readonly slot: 'home' | 'product',
    private readonly moment: Moment,
    private readonly shared: SharedModel,
  ) {}

  async train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): Promise<void> {
    this.trained = await this.shared.train(sessions, meta);
  }

  recommend(prefix: readonly string[], k: number, meta?: SessionMeta): string[] {
    const trained = this.trained;
    if (!trained) throw new Error('train() first');
    const { model, sources, lastTime, counters } = trained;
    const start = meta?.at ?? lastTime;
    const now = start + (prefix.length - 1) * VIEW_GAP_MS;
    const shopper = meta?.shopper ?? 'offline-shopper';
    const views = prefix.map((productId, i) => viewMessage(`test-${i}`, shopper, productId, start + i * VIEW_GAP_MS, meta?.region));
    const read = counters.rowsRead;
    const started = performance.now();
    let ids: string[];
    if (this.moment === 'immediately') {
      const answer = model.recommend({
        writeKey: 'bench',
        slot: this.slot,
        anonymousId: shopper,
        ...(this.slot === 'product' ? { productId: prefix[prefix.length - 1] } : {}),
        limit: k,
        geo: meta?.region ? { country: meta.region } : {},
        holdoutPercent: 0,
        nowMs: now,
        pending: views.slice(-MAX_MESSAGES_RETURNED).map((message) => ({ message, idHashes: [] })),
      });
      ids = answer.items.map((item) => item.productId);
    } else {
      const known = meta?.shopper ? profileOf(model, meta.shopper) : undefined;
      const profile = known ? structuredClone(known) : newProfile('offline-shopper', start);
      for (const view of views) applyEvent(profile, view);
      const ranked = rankCandidates(
        {
          slot: this.slot,
          variant: 'treatment',
          limit: k,
          productId: this.slot === 'product' ? prefix[prefix.length - 1] : undefined,
          region: meta?.region,
          nowMs: now,
        },
        profile,
        sources,
      );
      ids = ranked.items.map((item) => item.productId);
    }
    this.ms += performance.now() - started;
    this.rowsRead += counters.rowsRead - read;
    this.requests++;
    return ids.slice(0, k);
  }

  cost(): RecommenderCost {
    const trained = this.trained;
    return {
      rowsReadPerRequest: this.rowsRead / Math.max(1, this.requests),
      msPerRequest: this.ms / Math.max(1, this.requests),
      ...(trained ? { rowsWrittenPerEvent: trained.rowsWrittenPerEvent, rowsReadPerEvent: trained.rowsReadPerEvent } : {}),
    };
  }
}

function profileOf(model: ShopModel, anonymousId: string): Profile | undefined {
  const id = model.profileIdOf({ anonymousId });
  return id ? model.profiles.find(id) : undefined;
}

/**
 * Factories for the harness: the home slot settled and asked immediately,
 * and the product slot settled, trained once per dataset.
 */
export function trailmarkRecommenders() {
  const perDataset = new Map<string, SharedModel>();
  const shared = (name: string) => {
    let model = perDataset.get(name);
    if (!model) perDataset.set(name, (model = new SharedModel(name)));
    return model;
  };
  return [
    (dataset: { name: string }) => new SlotView('Trailmark home slot', 'home', 'settled', shared(dataset.name)),
    (dataset: { name: string }) => new SlotView('Trailmark home slot, asked immediately', 'home', 'immediately', shared(dataset.name)),
    (dataset: { name: string }) => new SlotView('Trailmark product slot', 'product', 'settled', shared(dataset.name)),
  ];
}
