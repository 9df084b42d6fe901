/**
 * Our recommender in the offline harness: training sessions are replayed as
 * `Product Viewed` messages through ShopModel.ingest — the code ShopState
 * runs for every drained batch — on an in-process SQLite, and predictions
 * come from the slot ranking the Worker serves (rank.ts), with the session
 * prefix as the shopper's current session.
 *
 * Two slots are scored: `home` (the session-aware personal ranking) and
 * `product` (for the last viewed product). They share one trained model.
 */
import type { StoredMessage } from '@trailmark/schema';
import { newProfile, type Profile } from '../../collector/src/profiles/profile';
import { rankCandidates, type RankSources } from '../../collector/src/recommend/rank';
import { SHOP_MIGRATIONS, ShopModel, type IngestItem } from '../../collector/src/shop/shop-model';
import { migrate } from '../../collector/src/lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import type { SessionMeta, SessionRecommender } from './recommender';

const BASE_TIME = Date.UTC(2026, 0, 1);
/** Sessions applied per ingest call, like a drain batch. */
const REPLAY_BATCH = 300;

interface Trained {
  model: ShopModel;
  sources: RankSources;
  lastTime: number;
}

/** One replay, shared by the slot views of a dataset. */
class SharedModel {
  private trained?: Promise<Trained>;

  train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): Promise<Trained> {
    this.trained ??= replay(sessions, meta);
    return this.trained;
  }

  get(): Promise<Trained> {
    if (!this.trained) throw new Error('train() first');
    return this.trained;
  }
}

async function replay(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): Promise<Trained> {
  const { sql, transaction } = await openSqlJs();
  const model = new ShopModel(sql);
  migrate(sql, SHOP_MIGRATIONS);
  let lastTime = BASE_TIME;
  let batch: IngestItem[] = [];
  const flush = () => {
    if (batch.length) transaction(() => model.ingest(batch));
    batch = [];
  };
  sessions.forEach((session, s) => {
    const m = meta?.[s];
    // Without timestamps, sessions are a minute apart, views ten seconds apart, in the order given.
    const start = m?.at ?? BASE_TIME + s * 60_000;
    const anonymousId = m?.shopper ?? `session-${s}`;
    session.forEach((productId, i) => {
      const at = start + i * 10_000;
      lastTime = Math.max(lastTime, at);
      batch.push({ message: viewMessage(`train-${s}-${i}`, anonymousId, productId, at, m?.region), idHashes: [] });
    });
    if ((s + 1) % REPLAY_BATCH === 0) flush();
  });
  flush();
  return { model, sources: model.rankSources(), lastTime };
}

function viewMessage(messageId: string, anonymousId: string, productId: string, at: number, region?: string): StoredMessage {
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

class SlotView implements SessionRecommender {
  constructor(
    readonly name: string,
    private readonly slot: 'home' | 'product',
    private readonly shared: SharedModel,
  ) {}

  async train(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): Promise<void> {
    await this.shared.train(sessions, meta);
  }

  async recommend(prefix: readonly string[], k: number, meta?: SessionMeta): Promise<string[]> {
    const { model, sources, lastTime } = await this.shared.get();
    const now = meta?.at ?? lastTime;
    // The shopper's profile as it stands (a returning shopper has history), in a new session: the prefix.
    const known = meta?.shopper ? profileOf(model, meta.shopper) : undefined;
    const profile: Profile = known ? structuredClone(known) : newProfile('offline', now);
    profile.session = { id: 'current', startedAt: now, lastAt: now, views: [...prefix] };
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
    return ranked.items.slice(0, k).map((item) => item.productId);
  }
}

function profileOf(model: ShopModel, anonymousId: string): Profile | undefined {
  const id = model.profileIdOf({ anonymousId });
  return id ? model.profiles.find(id) : undefined;
}

/** Factories for the harness: the home and product slots, trained once per dataset. */
export function trailmarkRecommenders() {
  const perDataset = new Map<string, SharedModel>();
  const shared = (name: string) => {
    let model = perDataset.get(name);
    if (!model) perDataset.set(name, (model = new SharedModel()));
    return model;
  };
  return [
    (dataset: { name: string }) => new SlotView('Trailmark home slot', 'home', shared(dataset.name)),
    (dataset: { name: string }) => new SlotView('Trailmark product slot', 'product', shared(dataset.name)),
  ];
}
