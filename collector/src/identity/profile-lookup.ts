/**
 * The rules around stitching (resolve-profile.ts) that every place holding
 * an identity graph applies alike: the one-object layout (shop/shop-model.ts),
 * the identity directory of a sharded site (directory-model.ts) and a
 * recommendation's view of a browser's pending events (recommend/as-if-stored.ts).
 * Pure logic over the graph's reads.
 */
import type { StoredMessage } from '@trailmark/schema';
import type { AppliedOutcome } from '../shop/applied-outcomes';
import type { IdentityStore } from './resolve-profile';

/** What a request says about a visitor's ids; `userVerified`: its userId came with proof. */
export interface VisitorIds {
  anonymousId?: string;
  userId?: string;
  userVerified?: boolean;
}

/**
 * The profile a visitor has now, without creating one: the customer's for
 * a proven userId (`userVerified`), else the browser's. A customer id is
 * not a password: a bare userId finds nothing.
 */
export function currentProfileOf(identities: Pick<IdentityStore, 'profileOf'>, ids: VisitorIds): string | undefined {
  return (
    (ids.userId && ids.userVerified && identities.profileOf('user', ids.userId)) ||
    (ids.anonymousId && identities.profileOf('anonymous', ids.anonymousId)) ||
    undefined
  );
}

/**
 * Whether a message's userId may link: on a site that requires identity
 * verification only one proven at ingest (`context.userVerified`) does;
 * elsewhere undefined, and every userId links.
 */
export function userVerifiedOf(message: StoredMessage, identityVerification: 'off' | 'required'): boolean | undefined {
  return identityVerification === 'required' ? message.context.userVerified === true : undefined;
}

/** Where profiles are now: whether one still exists, and where merges took it. */
export interface ProfileGraph {
  /** Not erased, not merged away. */
  exists(profileId: string): boolean;
  /** The profile id as it is now, following merges. */
  current(profileId: string): string;
}

/**
 * A resolution recorded for a message seen before, as a retry gets it: none
 * if its person has been erased since (their profile is gone), for nothing
 * of them may be stored again; a merge's target followed to where it is now.
 */
export function stillStored(graph: ProfileGraph, recorded: AppliedOutcome): AppliedOutcome {
  if (recorded.profileId === null || !graph.exists(graph.current(recorded.profileId))) return { profileId: null };
  if (!recorded.merged) return recorded;
  return { ...recorded, merged: { from: recorded.merged.from, into: graph.current(recorded.merged.into) } };
}
