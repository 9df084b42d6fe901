/**
 * Sessions: a new session id after 30 minutes without activity, shared by
 * the tabs of the site (localStorage), sent as `context.sessionId`.
 */
import { readStorage, writeStorage } from './lib/storage';
import { uuid } from './lib/uuid';

export const SESSION_TIMEOUT_MS = 30 * 60_000;
const SESSION_KEY = 'tm_sid';
/** localStorage is written at most this often: activity needs no finer grain against a 30-minute timeout. */
const SAVE_EVERY_MS = 10_000;

export interface Session {
  id: string;
  /** Time of the last activity, ms since the epoch. */
  last: number;
}

/** The rule: the same session while its last activity is under 30 minutes old, a new one otherwise. */
export function continueSession(session: Session | undefined, now: number, newId = uuid): Session {
  return session && now - session.last < SESSION_TIMEOUT_MS && now >= session.last - SESSION_TIMEOUT_MS
    ? { id: session.id, last: Math.max(now, session.last) }
    : { id: newId(), last: now };
}

/** `id.lastActivity` as stored; undefined when absent or damaged. */
export function parseSession(raw: string | null): Session | undefined {
  const match = raw && /^([\w-]{1,64})\.(\d{1,15})$/.exec(raw);
  return match ? { id: match[1]!, last: Number(match[2]) } : undefined;
}

export interface SessionClock {
  /** The session id for an event at `now`, renewing the session when it has expired. */
  id(now: number): string;
  /** Writes the last activity to storage (throttled unless `force`). */
  save(force?: boolean): void;
  /** Starts a new session (logout), or forgets it from storage when `forget`. */
  reset(forget?: boolean): void;
}

export function createSession(mayStore: () => boolean): SessionClock {
  let session: Session | undefined;
  let savedAt = 0;
  const clock: SessionClock = {
    id(now) {
      // Another tab may have kept the session alive: look at storage before starting a new one.
      if (!session || now - session.last >= SESSION_TIMEOUT_MS) session = continueSession(parseSession(readStorage(SESSION_KEY)) || session, now);
      session.last = now;
      if (now - savedAt > SAVE_EVERY_MS) clock.save();
      return session.id;
    },
    save(force) {
      if (session && mayStore() && (force || session.last != savedAt)) {
        writeStorage(SESSION_KEY, `${session.id}.${session.last}`);
        savedAt = session.last;
      }
    },
    reset(forget) {
      session = undefined;
      savedAt = 0;
      writeStorage(SESSION_KEY, null);
      if (!forget) clock.id(Date.now());
    },
  };
  return clock;
}
