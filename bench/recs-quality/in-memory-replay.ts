/**
 * A fast stand-in for the ShopModel replay, for tuning only: the rows that
 * replaying product views writes (co-view links, item totals, popularity,
 * session rings and recent sessions) are kept in maps instead of sql.js, and
 * requests are ranked by the Worker's own rankCandidates. The events go
 * through the same profile reducer (applyEvent) and the same learning code
 * (learnFromEvent), so links and totals are those the Durable Object writes;
 * only the rings and sessions follow SessionStore's rules by hand.
 *
 * Replaying Diginetica through ShopModel takes about ten minutes on this
 * machine; this takes about fifteen seconds, so a change to the ranking can
 * be scored on the validation day in under a minute. The benchmark's figures
 * still come from the ShopModel replay (trailmark.ts); a test checks that
 * both rank every request of a sample the same.
 *
 * Scope: sessions of one-session shoppers without a region (Diginetica), views
 * only — what the quality benchmark's real sessions hold.
 */
import type { AggregateReader } from '../../collector/src/aggregates/snapshot-reader';
import { applyEvent } from '../../collector/src/profiles/apply-event';
import { newProfile, type Profile } from '../../collector/src/profiles/profile';
import type { AggregateStore, LinkKind, Scored } from '../../collector/src/recommend/aggregate-store';
import { learnFromEvent } from '../../collector/src/recommend/learn';
import { rankCandidates, type RankSources } from '../../collector/src/recommend/rank';
import { RING, sessionKey, type RecentSession, type SessionStore } from '../../collector/src/recommend/session-store';
import type { SessionMeta } from './recommender';
import { VIEW_GAP_MS, viewMessage } from './trailmark';

/** What learnFromEvent writes, kept in memory; popularity as exponentially decayed sums (their order is the stored one's). */
class AggregateMaps {
  readonly links = new Map<string, Map<string, number>>();
  readonly totals = new Map<string, { views: number; buys: number }>();
  readonly popularity = new Map<string, Map<string, number>>();

  bumpPopularity(scopeName: string, productId: string, weight: number, atMs: number, halfLifeMs: number): void {
    let scores = this.popularity.get(scopeName);
    if (!scores) this.popularity.set(scopeName, (scores = new Map()));
    // Weighted by 2^(t / halfLife) from a fixed origin: sums compare as decayed ones do at any moment.
    scores.set(productId, (scores.get(productId) ?? 0) + weight * 2 ** ((atMs - ORIGIN_MS) / halfLifeMs));
  }

  noteShopper(): void {}

  bumpLink(kind: LinkKind, a: string, b: string, weight: number): void {
    const key = `${kind}\u0000${a}`;
    let scores = this.links.get(key);
    if (!scores) this.links.set(key, (scores = new Map()));
    scores.set(b, (scores.get(b) ?? 0) + weight);
  }

  bumpTotals(productId: string, views: number, buys: number): void {
    const total = this.totals.get(productId);
    if (total) {
      total.views += views;
      total.buys += buys;
    } else this.totals.set(productId, { views, buys });
  }

  recordRepurchase(): void {}
}

const ORIGIN_MS = Date.UTC(2016, 0, 1);

const byScore = (a: Scored, b: Scored) => b.score - a.score || (a.productId < b.productId ? -1 : 1);

class MapReader implements AggregateReader {
  private readonly sorted = new Map<string, Scored[]>();

  constructor(private readonly maps: AggregateMaps) {}

  private list(key: string, scores: Map<string, number> | undefined): Scored[] {
    let list = this.sorted.get(key);
    if (!list) this.sorted.set(key, (list = [...(scores ?? [])].map(([productId, score]) => ({ productId, score })).sort(byScore)));
    return list;
  }

  top(scopeName: string, limit: number): Scored[] {
    return this.list(`p\u0000${scopeName}`, this.maps.popularity.get(scopeName)).slice(0, limit);
  }

  neighbours(kind: LinkKind, productId: string, limit: number): Scored[] {
    const key = `${kind}\u0000${productId}`;
    return this.list(key, this.maps.links.get(key)).slice(0, limit);
  }

  totals(productIds: readonly string[]): Map<string, { views: number; buys: number }> {
    const out = new Map<string, { views: number; buys: number }>();
    for (const id of productIds) {
      const total = this.maps.totals.get(id);
      if (total) out.set(id, { ...total });
    }
    return out;
  }

  repurchaseIntervals(): Map<string, number> {
    return new Map();
  }
}

/** SessionStore's rules: a product's ring keeps the RING latest sessions that viewed it; a session row holds its products as the profile does. */
class SessionMaps {
  readonly rings = new Map<string, string[]>();
  readonly sessions = new Map<string, RecentSession>();

  noteView(key: string, productId: string, products: readonly string[], atMs: number): void {
    const previous = this.sessions.get(key);
    this.sessions.set(key, { key, at: Math.max(previous?.at ?? 0, atMs), products: [...products] });
    let ring = this.rings.get(productId);
    if (!ring) this.rings.set(productId, (ring = []));
    if (ring.includes(key)) return;
    ring.push(key);
    if (ring.length > RING) ring.shift();
  }

  reader(): Pick<SessionStore, 'ringsOf' | 'sessions'> {
    return {
      ringsOf: (productIds) => {
        const found = new Map<string, readonly string[]>();
        for (const id of productIds) {
          const ring = this.rings.get(id);
          if (ring) found.set(id, [...ring].reverse());
        }
        return found;
      },
      sessions: (keys) =>
        keys
          .map((key) => this.sessions.get(key))
          .filter((s): s is RecentSession => s !== undefined)
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    };
  }
}

/** A trained model: the home slot's ranking for a prefix, as the settled ShopModel replay asks it. */
export interface InMemoryModel {
  sources: RankSources;
  /** The first `k` of the home slot for a session that viewed `prefix` (its first view at `meta.at`). */
  home(prefix: readonly string[], k: number, meta?: SessionMeta): string[];
}

/** Replays training sessions (each a new shopper, without a region) into maps. */
export function replayInMemory(sessions: readonly (readonly string[])[], meta?: readonly SessionMeta[]): InMemoryModel {
  const maps = new AggregateMaps();
  const rings = new SessionMaps();
  let lastTime = ORIGIN_MS;
  sessions.forEach((session, s) => {
    const m = meta?.[s];
    if (m?.region !== undefined || m?.shopper !== undefined)
      throw new Error('replayInMemory: sessions with regions or returning shoppers need the ShopModel replay');
    const start = m?.at ?? ORIGIN_MS + s * 60_000;
    const profile = newProfile(`session-${s}`, start);
    session.forEach((productId, i) => {
      const at = start + i * VIEW_GAP_MS;
      lastTime = Math.max(lastTime, at);
      const effects = applyEvent(profile, viewMessage(`train-${s}-${i}`, `session-${s}`, productId, at));
      learnFromEvent(maps as unknown as AggregateStore, effects, { atMs: at, shopper: profile.profileId });
      if (effects.viewed) rings.noteView(sessionKey(profile.profileId, profile.session.id), effects.viewed.product.productId, profile.session.views, at);
    });
  });
  const sources: RankSources = { aggregates: new MapReader(maps), sessions: rings.reader() as SessionStore, repurchaseIntervals: () => new Map() };
  return {
    sources,
    home(prefix, k, m) {
      const start = m?.at ?? lastTime;
      const profile: Profile = newProfile('offline-shopper', start);
      prefix.forEach((productId, i) => applyEvent(profile, viewMessage(`test-${i}`, 'offline-shopper', productId, start + i * VIEW_GAP_MS)));
      const now = start + (prefix.length - 1) * VIEW_GAP_MS;
      return rankCandidates({ slot: 'home', variant: 'treatment', limit: k, nowMs: now }, profile, sources)
        .items.slice(0, k)
        .map((item) => item.productId);
    },
  };
}
