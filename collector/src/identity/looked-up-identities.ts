/**
 * A read-only view of the identity directory's links for one recommendation
 * request (the ids of the request and of its pending events, looked up in
 * one call): what recommend/as-if-stored.ts reads where the site's profiles
 * live in profile shards. Writes never reach it (the overlay keeps them).
 */
import type { IdentityLookup } from './directory-model';
import type { IdKind, IdentityStore } from './resolve-profile';

export class LookedUpIdentities implements IdentityStore {
  private readonly links = new Map<string, string>();
  private readonly users = new Map<string, string | null>();

  constructor(found: IdentityLookup) {
    for (const { kind, id, profileId } of found.links) this.links.set(`${kind}\n${id}`, profileId);
    for (const { profileId, userId } of found.users) this.users.set(profileId, userId);
  }

  profileOf(kind: IdKind, id: string): string | undefined {
    return this.links.get(`${kind}\n${id}`);
  }

  userOf(profileId: string): string | undefined {
    return this.users.get(profileId) ?? undefined;
  }

  /** Every profile the look-up found. */
  profileIds(): string[] {
    return [...this.users.keys()];
  }

  createProfile(): string {
    throw new Error('read only');
  }

  link(): void {
    throw new Error('read only');
  }

  setUser(): void {
    throw new Error('read only');
  }

  merge(): void {
    throw new Error('read only');
  }
}

/** The ids a request and its pending events may resolve through, each of both kinds where a message could name either. */
export function idsToLookUp(
  ids: { anonymousId?: string; userId?: string },
  pending: readonly { anonymousId?: string; userId?: string; previousId?: string }[],
): { kind: IdKind; id: string }[] {
  const out = new Map<string, { kind: IdKind; id: string }>();
  const add = (kind: IdKind, id: string | undefined) => {
    if (id) out.set(`${kind}\n${id}`, { kind, id });
  };
  for (const m of [ids, ...pending]) {
    add('anonymous', m.anonymousId);
    add('user', m.userId);
    // An alias's previousId is an earlier userId or an anonymous id; an unproven userId may count as an anonymous one.
    add('user', (m as { previousId?: string }).previousId);
    add('anonymous', (m as { previousId?: string }).previousId);
    add('anonymous', m.userId);
  }
  return [...out.values()];
}
