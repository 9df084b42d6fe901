/**
 * Read-your-writes, the applying half: a shopper's profile as it will be
 * once their accepted-but-not-yet-drained events are stored. The pending
 * events (from the browser's IngestShard, storage/pending-view.ts) go
 * through the same code the drain runs — identity resolution
 * (resolveProfile), the profile reducer (applyEvent), merges
 * (mergeProfiles) — against a copy-on-write overlay of the stored identity
 * graph and profiles. Nothing is written: the answer is "as if stored".
 *
 * So a first-time visitor has a profile from their first acknowledged view;
 * a pending identify joins the browser's history to the customer's profile
 * exactly as the drain will; an alias renames; the holdout group is the one
 * the stored profile will have. The work is bounded by the pending events
 * (at most 50) and the profiles they name (usually one or two). Pure.
 */
import type { StoredMessage } from '@trailmark/schema';
import { currentProfileOf, userVerifiedOf } from '../identity/profile-lookup';
import { profileIdFor, resolveProfile, type IdKind, type IdentityStore } from '../identity/resolve-profile';
import { eventTimeMs } from '../lib/event-time';
import { applyEvent, type ApplyOptions } from '../profiles/apply-event';
import { mergeProfiles } from '../profiles/merge';
import { newProfile, type Profile } from '../profiles/profile';

/** What is stored: the identity graph (read only here) and the profile documents. */
export interface StoredShop {
  identities: IdentityStore;
  /** A profile document as stored (the overlay copies it before changing it). */
  findProfile(profileId: string): Profile | undefined;
}

export interface AsIfStoredOptions extends ApplyOptions {
  /** The site's setting (sites/site.ts): "required" links a userId only with `context.userVerified`. */
  identityVerification?: 'off' | 'required';
}

export interface AsIfStored {
  /** The profile the ids lead to once the events are stored; undefined when they lead nowhere yet. */
  profileId?: string;
  profile?: Profile;
  /** How many of the events were applied. */
  applied: number;
}

/**
 * Applies `pending` (the browser's events, in acceptance order, none yet
 * applied by the drain) to copies of the stored profiles and says which
 * profile `ids` lead to then.
 */
export function asIfStored(
  shop: StoredShop,
  ids: { anonymousId?: string; userId?: string; userVerified?: boolean },
  pending: readonly StoredMessage[],
  options: AsIfStoredOptions,
): AsIfStored {
  const docs = new Map<string, Profile | null>();
  const doc = (profileId: string): Profile | undefined => {
    if (!docs.has(profileId)) {
      const stored = shop.findProfile(profileId);
      docs.set(profileId, stored ? structuredClone(stored) : null);
    }
    return docs.get(profileId) ?? undefined;
  };
  // The drain's merge (ShopModel.mergeDocuments), on the copies.
  const identities = new OverlayIdentityStore(shop.identities, (from, into) => {
    const source = doc(from);
    if (source) {
      const target = doc(into);
      docs.set(into, target ? mergeProfiles(target, source, options.currency) : { ...source, profileId: into });
    }
    docs.set(from, null);
  });

  let applied = 0;
  for (const message of pending) {
    // As in the drain: on a site that requires identity verification, an unproven userId links nothing.
    const userVerified = userVerifiedOf(message, options.identityVerification ?? 'off');
    const { profileId } = resolveProfile(identities, { ...(message as StoredMessage & { previousId?: string }), userVerified });
    // Bots are stitched but kept out of profiles, as in the drain.
    if (message.context.bot) continue;
    const at = eventTimeMs(message);
    let profile = doc(profileId);
    if (!profile) docs.set(profileId, (profile = newProfile(profileId, at)));
    applyEvent(profile, message, options);
    applied++;
  }

  const profileId = currentProfileOf(identities, ids);
  return { ...(profileId ? { profileId, profile: doc(profileId) } : {}), applied };
}

/**
 * An IdentityStore that reads the stored graph and keeps its own changes in
 * memory. Reads are memoised, so resolving a browser's events reads each id
 * once.
 */
export class OverlayIdentityStore implements IdentityStore {
  private readonly links = new Map<string, string | undefined>();
  private readonly users = new Map<string, string | undefined>();
  /** Profile → the profile it was merged into here. */
  private readonly merged = new Map<string, string>();

  constructor(
    private readonly base: IdentityStore,
    private readonly onMerge: (from: string, into: string) => void,
  ) {}

  profileOf(kind: IdKind, id: string): string | undefined {
    const key = `${kind}\n${id}`;
    if (!this.links.has(key)) this.links.set(key, this.base.profileOf(kind, id));
    const profileId = this.links.get(key);
    return profileId === undefined ? undefined : this.current(profileId);
  }

  userOf(profileId: string): string | undefined {
    if (!this.users.has(profileId)) this.users.set(profileId, this.base.userOf(profileId));
    return this.users.get(profileId);
  }

  createProfile(seed: string): string {
    // The id derives from the seed, as in the stored graph (SqliteIdentityStore); nothing is written.
    const profileId = profileIdFor(seed);
    if (!this.users.has(profileId)) this.users.set(profileId, undefined);
    return profileId;
  }

  link(kind: IdKind, id: string, profileId: string): void {
    this.links.set(`${kind}\n${id}`, profileId);
  }

  setUser(profileId: string, userId: string): void {
    this.users.set(profileId, userId);
  }

  merge(from: string, into: string): void {
    this.onMerge(from, into);
    this.merged.set(from, into);
  }

  private current(profileId: string): string {
    let id = profileId;
    for (let hops = 0; this.merged.has(id) && hops < 100; hops++) id = this.merged.get(id)!;
    return id;
  }
}
