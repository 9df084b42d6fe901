/**
 * Identity stitching: which profile a message belongs to, and which profiles
 * join when an anonymous browser meets its customer. Deterministic and
 * guarded: a profile holds at most one userId, so two customers are never
 * merged. A shared browser that logs in as A, then B keeps A and B apart; its
 * anonymous id follows the customer who identified last.
 *
 * Pure logic over an `IdentityStore`, so the rules are tested without storage.
 */

import { contentDigest } from '../lib/hash';

export type IdKind = 'anonymous' | 'user';

export interface IdentityStore {
  profileOf(kind: IdKind, id: string): string | undefined;
  userOf(profileId: string): string | undefined;
  /** Creates a profile; its id derives from `seed`, so a visitor's id (and holdout group) is known before it exists. */
  createProfile(seed: string): string;
  /** Points an id at a profile (replacing what it pointed at). */
  link(kind: IdKind, id: string, profileId: string): void;
  setUser(profileId: string, userId: string): void;
  /** Moves everything of `from` into `into` and retires `from`. */
  merge(from: string, into: string): void;
}

export interface IdentityInput {
  type: string;
  anonymousId?: string;
  userId?: string;
  /** alias: the id the customer had before `userId`. */
  previousId?: string;
  /**
   * false when the site requires identity verification and the userId came
   * without a valid userHash: it links nothing (no merge, no join of the
   * browser into the customer's profile). The message then counts as the
   * browser's (its anonymousId), or, with no anonymousId, as if the unproven
   * userId were an anonymous id. Absent: the userId links as usual.
   */
  userVerified?: boolean;
}

export interface Resolution {
  profileId: string;
  /** Set when this message joined an anonymous profile into an identified one. */
  merged?: { from: string; into: string };
}

/** The id a profile created from `seed` gets ("anonymous:<id>" or "user:<id>"). */
export function profileIdFor(seed: string): string {
  const hex = contentDigest(seed).padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function resolveProfile(store: IdentityStore, input: IdentityInput): Resolution {
  if (input.userId && input.userVerified === false) return { profileId: anonymousProfile(store, input.anonymousId ?? input.userId) };
  if (input.type === 'alias' && input.previousId && input.userId) return resolveAlias(store, input.previousId, input.userId);
  const { anonymousId, userId } = input;
  if (!userId) return { profileId: anonymousProfile(store, anonymousId!) };
  return identifiedProfile(store, userId, anonymousId);
}

function anonymousProfile(store: IdentityStore, anonymousId: string): string {
  const existing = store.profileOf('anonymous', anonymousId);
  if (existing) return existing;
  const created = store.createProfile(`anonymous:${anonymousId}`);
  store.link('anonymous', anonymousId, created);
  return created;
}

/** A message carrying a userId (and perhaps the browser's anonymousId). */
function identifiedProfile(store: IdentityStore, userId: string, anonymousId: string | undefined): Resolution {
  const userProfile = store.profileOf('user', userId);
  const browserProfile = anonymousId ? store.profileOf('anonymous', anonymousId) : undefined;

  if (!userProfile) {
    // First time we see this customer: the browser's anonymous history becomes theirs,
    // unless that browser's profile already belongs to someone else.
    if (browserProfile && store.userOf(browserProfile) === undefined) {
      store.setUser(browserProfile, userId);
      store.link('user', userId, browserProfile);
      return { profileId: browserProfile };
    }
    const created = store.createProfile(`user:${userId}`);
    store.setUser(created, userId);
    store.link('user', userId, created);
    if (anonymousId) store.link('anonymous', anonymousId, created);
    return { profileId: created };
  }

  if (!anonymousId || browserProfile === userProfile) return { profileId: userProfile };
  if (!browserProfile) {
    store.link('anonymous', anonymousId, userProfile);
    return { profileId: userProfile };
  }
  if (store.userOf(browserProfile) === undefined) {
    store.merge(browserProfile, userProfile);
    return { profileId: userProfile, merged: { from: browserProfile, into: userProfile } };
  }
  // The browser belonged to another customer: it now follows this one, nothing merges.
  store.link('anonymous', anonymousId, userProfile);
  return { profileId: userProfile };
}

/**
 * alias(previousId → userId): previousId is an anonymous id or an earlier
 * userId. An anonymous profile joins the customer's; a customer's own earlier
 * id is renamed; another customer's profile is left alone.
 */
function resolveAlias(store: IdentityStore, previousId: string, userId: string): Resolution {
  const previousAsUser = store.profileOf('user', previousId);
  if (previousAsUser) {
    const target = store.profileOf('user', userId);
    if (!target) {
      store.setUser(previousAsUser, userId);
      store.link('user', userId, previousAsUser);
      return { profileId: previousAsUser };
    }
    return { profileId: target };
  }
  return identifiedProfile(store, userId, previousId);
}
