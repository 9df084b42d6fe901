/**
 * The identity directory's state over a SQLite database: which profile each
 * anonymousId and userId leads to, the customer of each profile, the merges
 * made, the suppressed ids, and the resolution of every messageId it has
 * resolved. When a site keeps its profiles in profile shards, this is the
 * only place ids are linked, so merges are decided once for the whole site.
 *
 * A messageId resolved before gets the recorded answer again (unless its
 * person has been erased since): a retried drain resolves exactly as the
 * first attempt did, and finishes the merges that attempt started. The same
 * tables and rules as the single-object layout (identity/resolve-profile.ts,
 * sqlite-identity-store.ts), without the profile documents: those live in
 * the profile shards (profiles/profile-shard.ts).
 */
import type { StoredMessage } from '@trailmark/schema';
import type { Sql } from '../lib/sql';
import { AppliedOutcomes, type AppliedOutcome } from '../shop/applied-outcomes';
import { orderIdOf, SeenOrders } from '../shop/seen-orders';
import { currentProfileOf, stillStored, userVerifiedOf, type VisitorIds } from './profile-lookup';
import { resolveProfile, type IdentityInput, type IdKind } from './resolve-profile';
import { SqliteIdentityStore } from './sqlite-identity-store';
import { SuppressionList, type IdHash } from './suppression';

/** The directory's schema steps, frozen as shipped (lib/migrate.ts). */
export { DIRECTORY_MIGRATIONS } from '../schema-steps/identity-directory';

/** What the directory needs of a message to resolve it: its ids as stitching reads them (`userVerified` as ShopModel passes it). */
export interface ResolveItem extends IdentityInput {
  messageId: string;
  /** The order id it counts under, for an `Order Completed` (shop/seen-orders.ts). */
  orderId?: string;
  idHashes: IdHash[];
}

export interface Resolved {
  /** The profile the message belongs to, or null when its ids are suppressed (it is stored nowhere). */
  profileId: string | null;
  /** The customer of that profile, for the shard's copy of it. */
  userId?: string;
  /** The anonymous profile this message joined into an identified one. */
  merged?: { from: string; into: string };
  /** The message was resolved before (a retried drain). */
  repeat?: boolean;
  /** An `Order Completed` whose order_id its person counted before (shop/seen-orders.ts): applied nowhere, stored as received. */
  repeatedOrder?: boolean;
}

export function resolveItemOf(message: StoredMessage, identityVerification: 'off' | 'required', idHashes: IdHash[]): ResolveItem {
  const m = message as StoredMessage & { previousId?: string };
  const userVerified = userVerifiedOf(m, identityVerification);
  const orderId = orderIdOf(m);
  return {
    messageId: m.messageId,
    type: m.type,
    ...(m.anonymousId !== undefined ? { anonymousId: m.anonymousId } : {}),
    ...(m.userId !== undefined ? { userId: m.userId } : {}),
    ...(m.previousId !== undefined ? { previousId: m.previousId } : {}),
    ...(userVerified !== undefined ? { userVerified } : {}),
    ...(orderId !== undefined ? { orderId } : {}),
    idHashes,
  };
}

/** The links of some ids, and the customer of each profile they lead to. */
export interface IdentityLookup {
  links: { kind: IdKind; id: string; profileId: string }[];
  users: { profileId: string; userId: string | null }[];
}

export class DirectoryModel {
  readonly identities: SqliteIdentityStore;
  readonly suppressed: SuppressionList;
  readonly resolutions: AppliedOutcomes;
  /** The order ids each person counted so far: here, as this object resolves a site's messages one at a time, in drain order. */
  readonly orders: SeenOrders;

  constructor(private readonly sql: Sql) {
    this.orders = new SeenOrders(sql);
    // The documents are elsewhere: a merge here moves the links and the order claims (the drain moves the documents).
    this.identities = new SqliteIdentityStore(sql, (from, into) => this.orders.move(from, into));
    this.suppressed = new SuppressionList(sql);
    this.resolutions = new AppliedOutcomes(sql);
  }

  /** Resolves a batch, in order; run it inside one transaction. */
  resolve(items: readonly ResolveItem[], nowMs: number): Resolved[] {
    this.identities.begin();
    this.users = new Map();
    try {
      const isSuppressed = this.suppressed.matcher(items.flatMap((item) => item.idHashes));
      const known = this.resolutions.findMany(items.map((item) => item.messageId));
      const orders = this.orders.forBatch(items);
      const toRecord: [string, AppliedOutcome][] = [];
      const out = items.map((item): Resolved => {
        const suppressed = isSuppressed(item.idHashes);
        const recorded = known.get(item.messageId);
        if (recorded) return suppressed ? { profileId: null, repeat: true } : { ...this.withUser(stillStored(this.identities, recorded), true), repeat: true };
        if (suppressed) {
          known.set(item.messageId, { profileId: null });
          toRecord.push([item.messageId, { profileId: null }]);
          return { profileId: null };
        }
        const { profileId, merged } = resolveProfile(this.identities, item);
        // A message with a customer id may have named a profile's customer (or merged one away): ask again.
        if (item.userId || merged) this.users?.clear();
        // An order this person counted before: its ids still link, and the shards apply nothing of it (as in ShopState).
        const repeatedOrder = orders.repeated(item.orderId, profileId);
        const outcome: AppliedOutcome = { profileId, ...(merged ? { merged } : {}), ...(repeatedOrder ? { repeatedOrder } : {}) };
        known.set(item.messageId, outcome);
        toRecord.push([item.messageId, outcome]);
        return this.withUser(outcome);
      });
      this.resolutions.recordMany(toRecord, nowMs);
      orders.record();
      return out;
    } finally {
      this.identities.end();
      this.users = undefined;
    }
  }

  /** While a batch is resolved: the customer of each profile seen (a browser's every message asks again). */
  private users: Map<string, string | undefined> | undefined;

  private withUser(outcome: AppliedOutcome, recorded = false): Resolved {
    const userId = outcome.profileId ? this.userOf(recorded ? this.identities.current(outcome.profileId) : outcome.profileId) : undefined;
    return {
      profileId: outcome.profileId,
      ...(userId ? { userId } : {}),
      ...(outcome.merged ? { merged: outcome.merged } : {}),
      ...(outcome.repeatedOrder ? { repeatedOrder: true } : {}),
    };
  }

  private userOf(profileId: string): string | undefined {
    if (!this.users) return this.identities.userOf(profileId);
    if (!this.users.has(profileId)) this.users.set(profileId, this.identities.userOf(profileId));
    return this.users.get(profileId);
  }

  /** The profile a visitor has now, without creating one. */
  profileIdOf(ids: VisitorIds): string | undefined {
    return currentProfileOf(this.identities, ids);
  }

  /**
   * What a recommendation needs to resolve a browser's pending events as the
   * drain will (recommend/as-if-stored.ts): the profile of each id, and the
   * customer of each profile found.
   */
  lookup(ids: readonly { kind: IdKind; id: string }[]): IdentityLookup {
    const links: IdentityLookup['links'] = [];
    const users = new Map<string, string | null>();
    for (const { kind, id } of ids) {
      const profileId = this.identities.profileOf(kind, id);
      if (!profileId) continue;
      links.push({ kind, id, profileId });
      if (!users.has(profileId)) users.set(profileId, this.identities.userOf(profileId) ?? null);
    }
    return { links, users: [...users].map(([profileId, userId]) => ({ profileId, userId })) };
  }

  pruneResolutions(nowMs: number): void {
    this.resolutions.prune(nowMs);
  }
}
