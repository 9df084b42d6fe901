/**
 * Who the visitor is: an anonymousId kept in a first-party cookie and in
 * localStorage (either restores the other, since browsers and extensions
 * clear them separately), the userId once they identify, and (read when
 * asked, written by the analytics.js chunk) their traits and group.
 *
 * A shop moving from Segment keeps its visitors: on a first visit the
 * anonymousId (and userId) that analytics.js left behind are adopted.
 *
 * After reset() the old anonymousId is retired: when the collector serves
 * the shop's own origin, an answer that was in flight at the logout sets the
 * cookie to the old id again, and the next page must not take it back.
 * (Consent withdrawn forgets the retired id too: nothing is left.)
 */
import { IDENTITY_COOKIE, IDENTITY_COOKIE_MAX_AGE_S } from '@trailmark/schema';
import type { Traits } from './types';
import { readCookie, writeCookie } from './lib/cookie';
import { readStorage, writeStorage } from './lib/storage';
import { uuid } from './lib/uuid';

const USER_KEY = 'tm_uid';
/** The user's traits, the group id and the group's traits (JSON), as analytics.js keeps them across pages. */
export const TRAITS_KEY = 'tm_ut';
export const GROUP_KEY = 'tm_gid';
export const GROUP_TRAITS_KEY = 'tm_gt';
/** identify's userHash with the userId it proves (JSON), for the recommendation requests of the next pages. */
export const USER_HASH_KEY = 'tm_uh';
/**
 * The ack token of the browser's last answered batch, for its recommendation requests (slots.ts), or, while a send may
 * be under way, a mark (transport.ts): `~`, the time that send began and a random number.
 */
export const ACK_KEY = 'tm_ack';
/** The calls a page left waiting for the API chunk as it went (surface.ts), as JSON: the next page makes them. */
export const WAITING_KEY = 'tm_wait';
const RETIRED_KEY = 'tm_old';

export interface Identity {
  anonymousId: string;
  userId?: string;
  traits?: Traits;
  groupId?: string;
  groupTraits?: Traits;
  /** Proof of the userId from the shop's server (identify's `userHash`) given on this page, for its recommendation requests. */
  userHash?: string;
}

/**
 * An id as a script stored it: analytics.js writes JSON (`"abc"`, so the
 * cookie reads `%22abc%22`), older versions and other tools the bare value.
 * Anything that is not a usable id gives undefined.
 */
export function parseStoredId(raw: string | null | undefined): string | undefined {
  // Printable, without quotes, brackets or separators: ids are UUIDs, numbers or e-mail addresses.
  const id = /^("?)([^\s"'{}<>;,\\]{1,256})\1$/.exec(raw!)?.[2];
  return id == 'null' || id == 'undefined' ? undefined : id;
}

/** A JSON value kept in localStorage; undefined when absent or damaged. */
export function readJson<T>(key: string): T | undefined {
  try {
    return JSON.parse(readStorage(key)!) || undefined;
  } catch {
    // Damaged: as if absent.
  }
}

/** The userHash an earlier page was given for `userId` (kept with the id it proves: after an alias it proves nothing). */
export function keptUserHash(userId: string): string | undefined {
  const kept = readJson<unknown[]>(USER_HASH_KEY);
  return Array.isArray(kept) && kept[0] == userId && typeof kept[1] == 'string' ? kept[1] : undefined;
}

/** Reads the identity this browser already has (reading stores nothing); a new anonymousId on a first visit. */
export function loadIdentity(): Identity {
  // Cookie or storage, either restores the other; a cookie holding the id reset last does not count.
  const stored = (key: string, retired?: string | null) => {
    const cookie = parseStoredId(readCookie(key));
    return (cookie != retired && cookie) || parseStoredId(readStorage(key));
  };
  const ours = stored(IDENTITY_COOKIE, readStorage(RETIRED_KEY));
  // Segment's ids only on a first visit: after our own reset() they must stay forgotten.
  return ours
    ? { anonymousId: ours, userId: readStorage(USER_KEY) || undefined }
    : { anonymousId: stored('ajs_anonymous_id') || uuid(), userId: stored('ajs_user_id') };
}

/** Writes the ids to both places; each page load rewrites the cookie, which renews its lifetime. */
export function saveIdentity(identity: Identity, cookieDomain?: string): void {
  writeCookie(IDENTITY_COOKIE, identity.anonymousId, IDENTITY_COOKIE_MAX_AGE_S, cookieDomain);
  writeStorage(IDENTITY_COOKIE, identity.anonymousId);
  writeStorage(USER_KEY, identity.userId);
}

/** Forgets everything stored about the visitor: consent withdrawn, or (`retired`) a reset. */
export function forgetIdentity(cookieDomain?: string, retired?: string): void {
  if (!retired) writeCookie(IDENTITY_COOKIE, '', 0, cookieDomain);
  for (const key of [IDENTITY_COOKIE, USER_KEY, TRAITS_KEY, GROUP_KEY, GROUP_TRAITS_KEY, USER_HASH_KEY, WAITING_KEY, ACK_KEY]) writeStorage(key, null);
  // The id reset last: a cookie holding it is not taken back.
  writeStorage(RETIRED_KEY, retired);
}
