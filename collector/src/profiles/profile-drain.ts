/**
 * A drained batch's way through a site whose profiles live in profile
 * shards (site setting `profileShards`), in stages, each idempotent on
 * messageIds so a retried drain stores exactly what the first attempt would:
 * 1. resolve: the identity directory links ids and returns, per message, its
 *    profile (null: suppressed, stored nowhere) and the merge it caused;
 *    recorded per messageId.
 * 2. profiles and merges, in rounds: every message of a profile no merge of
 *    the batch touches goes in the first round; a merged profile's messages
 *    keep their place around the merge. Each round is one call per shard it
 *    touches, in parallel; between rounds one merge moves a document from its
 *    shard to the target's (merge id = the messageId; profile-shard-model.ts).
 * 3. shop-wide: the catalog facts and the effects each shard returned go to
 *    ShopState once per messageId (aggregates, session index).
 * The caller then writes the event log and the archive. The objects are
 * passed in (stubs in the IngestShard, the models themselves in the unit
 * test and the capacity bench), so every caller runs this one pipeline.
 */
import type { StoredMessage } from '@trailmark/schema';
import { productsOfMessage } from '../catalog/product-facts';
import { eventTimeMs } from '../lib/event-time';
import { resolveItemOf, type ResolveItem, type Resolved } from '../identity/directory-model';
import type { IdHash } from '../identity/suppression';
import type { TableRows } from '../lib/copy-rows';
import type { IngestOutcome, LearnItem } from '../shop/shop-model';
import type { Profile } from './profile';
import { profileShardOf, type ProfileApplied, type ProfileItem } from './profile-shard-model';

type MaybePromise<T> = T | Promise<T>;

/** What the pipeline calls on a merge's two shards. */
export interface MergePayload {
  doc: Profile | null;
  /** The source profile's campaign rows (under its own id: the target's campaign host moves them). */
  campaigns: TableRows;
}

/** The objects a drain calls: the identity directory, the profile shards, ShopState. */
export interface ProfileDrainObjects {
  directory: { resolve(items: ResolveItem[]): MaybePromise<Resolved[]> };
  shard(index: number): {
    apply(items: ProfileItem[], currency: string): MaybePromise<ProfileApplied[]>;
    mergeOut(mergeId: string, from: string, into: string): MaybePromise<MergePayload & { done: boolean }>;
    mergeIn(mergeId: string, from: string, into: string, payload: MergePayload, userId: string | undefined, currency: string): MaybePromise<void>;
    mergeAcked(mergeId: string): MaybePromise<void>;
  };
  shop: { learnEffects(items: LearnItem[]): MaybePromise<void> };
}

export interface ProfileDrainSite {
  shards: number;
  currency: string;
  identityVerification: 'off' | 'required';
}

/** Where a test may fail a drain (IngestShard faults): after resolving, halfway through a merge, after the profiles. */
export type DrainStage = 'resolve' | 'merge-out' | 'profiles';

/** Forwarding hops a late message may need after merges (each hop is a merge made meanwhile). */
const MAX_HOPS = 8;

export async function drainToProfileShards(
  objects: ProfileDrainObjects,
  site: ProfileDrainSite,
  items: readonly { message: StoredMessage; idHashes: IdHash[] }[],
  checkpoint: (stage: DrainStage) => void = () => {},
): Promise<IngestOutcome> {
  const resolved: Resolved[] = await objects.directory.resolve(
    items.map(({ message, idHashes }) => resolveItemOf(message, site.identityVerification, idHashes)),
  );
  checkpoint('resolve');

  const merges = resolved.flatMap((r, i) => (r.merged ? [{ index: i, ...r.merged, userId: r.userId }] : []));
  const involved = new Set(merges.flatMap((m) => [m.from, m.into]));
  const rounds: number[][] = Array.from({ length: merges.length + 1 }, () => []);
  let mergesSoFar = 0;
  resolved.forEach((r, i) => {
    if (r.merged) mergesSoFar++;
    // Suppressed: stored nowhere. A repeated order (shop/seen-orders.ts): applied to no profile.
    if (r.profileId === null || r.repeatedOrder) return;
    // The message that caused a merge is applied after it, as in the single-object layout.
    rounds[involved.has(r.profileId) ? mergesSoFar : 0]!.push(i);
  });

  const applied: (ProfileApplied | undefined)[] = new Array(items.length);
  for (let round = 0; round < rounds.length; round++) {
    await applyRound(
      objects,
      site,
      rounds[round]!.map((i) => ({
        index: i,
        item: { message: items[i]!.message, profileId: resolved[i]!.profileId!, ...(resolved[i]!.userId ? { userId: resolved[i]!.userId } : {}) },
      })),
      applied,
    );
    const merge = merges[round];
    if (merge) await mergeAcross(objects, site, items[merge.index]!.message.messageId, merge, checkpoint);
  }
  checkpoint('profiles');

  const learnItems = resolved.flatMap((r, i) => {
    const result = applied[i];
    const message = items[i]!.message;
    // A repeated order teaches nothing, but ShopState knows it stored (read-your-writes leaves it out then).
    if (r.profileId !== null && r.repeatedOrder) return [{ messageId: message.messageId, profileId: r.profileId, atMs: eventTimeMs(message), products: [] }];
    if (r.profileId === null || !result) return [];
    const products = message.context.bot ? [] : productsOfMessage(message);
    // Every applied message, so ShopState knows it stored (read-your-writes leaves it out then).
    return [
      { messageId: message.messageId, profileId: result.profileId, atMs: eventTimeMs(message), products, ...(result.learn ? { learn: result.learn } : {}) },
    ];
  });
  if (learnItems.length > 0) await objects.shop.learnEffects(learnItems);

  return {
    // Not applied (erased meanwhile): stored nowhere.
    profileIds: resolved.map((r, i) => (r.profileId === null ? null : r.repeatedOrder ? r.profileId : (applied[i]?.profileId ?? null))),
    merges: merges.map(({ from, into }) => ({ from, into })),
    attributions: applied.map((a) => a?.attributions ?? null),
    repeatedOrders: resolved.map((r) => r.repeatedOrder === true),
  };
}

/** One call per shard the round touches, in parallel; messages that reach a profile merged away meanwhile are sent on. */
async function applyRound(
  objects: ProfileDrainObjects,
  site: ProfileDrainSite,
  work: { index: number; item: ProfileItem }[],
  applied: (ProfileApplied | undefined)[],
): Promise<void> {
  for (let hop = 0; work.length > 0; hop++) {
    if (hop > MAX_HOPS) throw new Error('a message kept reaching profiles merged away');
    const byShard = new Map<number, { index: number; item: ProfileItem }[]>();
    for (const w of work) {
      const shard = profileShardOf(w.item.profileId, site.shards);
      const list = byShard.get(shard);
      if (list) list.push(w);
      else byShard.set(shard, [w]);
    }
    const next: { index: number; item: ProfileItem }[] = [];
    await Promise.all(
      [...byShard].map(async ([shard, list]) => {
        const results = await objects.shard(shard).apply(
          list.map((w) => w.item),
          site.currency,
        );
        results.forEach((result, k) => {
          const w = list[k]!;
          if (result.movedTo) next.push({ index: w.index, item: { ...w.item, profileId: result.movedTo } });
          else if (!result.erased) applied[w.index] = result;
        });
      }),
    );
    work = next;
  }
}

/** Moves `from`'s document into `into`'s shard, once per merge id, finishing a move a failed drain left half done. */
async function mergeAcross(
  objects: ProfileDrainObjects,
  site: ProfileDrainSite,
  mergeId: string,
  merge: { from: string; into: string; userId?: string },
  checkpoint: (stage: DrainStage) => void,
): Promise<void> {
  const source = objects.shard(profileShardOf(merge.from, site.shards));
  const target = objects.shard(profileShardOf(merge.into, site.shards));
  const { done, ...payload } = await source.mergeOut(mergeId, merge.from, merge.into);
  if (done) return;
  checkpoint('merge-out');
  await target.mergeIn(mergeId, merge.from, merge.into, payload, merge.userId, site.currency);
  await source.mergeAcked(mergeId);
}
