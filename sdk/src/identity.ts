/**
 * Who the visitor is: an anonymousId kept in a first-party cookie and in
 * localStorage (either restores the other, since browsers and extensions
 * clear them separately), and the userId once they identify.
 *
 * A shop moving from Segment keeps its visitors: on a first visit the
 * anonymousId (and userId) that analytics.js left behind are adopted.
 */
import { IDENTITY_COOKIE, IDENTITY_COOKIE_MAX_AGE_S } from '@trailmark/schema';
import { readCookie, writeCookie } from './lib/cookie';
import { readStorage, writeStorage } from './lib/storage';
import { uuid } from './lib/uuid';

const USER_KEY = 'tm_uid';
const SEGMENT_ANONYMOUS_ID = 'ajs_anonymous_id';
const SEGMENT_USER_ID = 'ajs_user_id';

export interface Identity {
  anonymousId: string;
  userId?: string;
}

/**
 * An id as a script stored it: analytics.js writes JSON (`"abc"`, so the
 * cookie reads `%22abc%22`), older versions and other tools the bare value.
 * Anything that is not a usable id gives undefined.
 */
export function parseStoredId(raw: string | null | undefined): string | undefined {
  let id: unknown = raw;
  if (raw && raw[0] == '"') {
    try {
      id = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  // Printable, without quotes, brackets or separators: ids are UUIDs, numbers or e-mail addresses.
  return typeof id == 'string' && /^[^\s"'{}<>;,\\]{1,256}$/.test(id) && id != 'null' && id != 'undefined' ? id : undefined;
}

/** Reads the identity this browser already has (reading stores nothing); a new anonymousId on a first visit. */
export function loadIdentity(): Identity {
  const ours = parseStoredId(readCookie(IDENTITY_COOKIE)) || parseStoredId(readStorage(IDENTITY_COOKIE));
  if (ours) return { anonymousId: ours, userId: readStorage(USER_KEY) || undefined };
  // Only on a first visit: after our own reset() the old Segment ids must stay forgotten.
  return {
    anonymousId: parseStoredId(readCookie(SEGMENT_ANONYMOUS_ID)) || parseStoredId(readStorage(SEGMENT_ANONYMOUS_ID)) || uuid(),
    userId: parseStoredId(readCookie(SEGMENT_USER_ID)) || parseStoredId(readStorage(SEGMENT_USER_ID)),
  };
}

/**
 * Writes the identity to both places; each page load rewrites the cookie,
 * which renews its lifetime. Undefined forgets it (consent withdrawn).
 */
export function saveIdentity(identity: Identity | undefined, cookieDomain?: string): void {
  writeCookie(IDENTITY_COOKIE, identity?.anonymousId, IDENTITY_COOKIE_MAX_AGE_S, cookieDomain);
  writeStorage(IDENTITY_COOKIE, identity?.anonymousId);
  writeStorage(USER_KEY, identity?.userId);
}
