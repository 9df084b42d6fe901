/**
 * Sessions: a new session id after 30 minutes without activity, shared by
 * the tabs of the site (localStorage `tm_sid`, `id.lastActivity`), sent as
 * `context.sessionId`.
 */
import { readStorage, writeStorage } from './lib/storage';
import { uuid } from './lib/uuid';

export const SESSION_TIMEOUT_MS = 30 * 60_000;
const SESSION_KEY = 'tm_sid';
/** localStorage is written at most this often: activity needs no finer grain against a 30-minute timeout. */
const SAVE_EVERY_MS = 10_000;

/**
 * The session an event at `now` belongs to, given the stored one
 * (`id.lastActivity`, maybe another tab's), with its last activity: the
 * same while that is under 30 minutes away (a clock gone back a lot starts
 * a new one too), a new one otherwise, or when the value is damaged.
 */
export function continueSession(stored: string | null | undefined, now: number, newId = uuid): [id: string, last: number] {
  const [id, last] = `${stored}`.split('.');
  // (A damaged time is NaN, which is never within the timeout.)
  return id && Math.abs(now - +last!) < SESSION_TIMEOUT_MS ? [id, +last!] : [newId(), now];
}

/**
 * The session clock: `(now)` is the session id of an event at `now`,
 * renewing an expired session; `(0)` forgets the session (logout, consent
 * withdrawn): the next event starts a new one. Storage is written only when
 * `mayStore` allows, at most every few seconds.
 */
export function createSession(mayStore: () => boolean): (now: number) => string {
  let id = '';
  let last = 0;
  let savedAt = 0;
  return (now) => {
    if (!now) {
      writeStorage(SESSION_KEY, null);
      last = savedAt = 0;
      return (id = '');
    }
    // Another tab may have kept the session alive: look at storage before starting a new one.
    if (now - last >= SESSION_TIMEOUT_MS) [id, last] = continueSession(readStorage(SESSION_KEY), now);
    last = Math.max(last, now);
    if (mayStore() && last - savedAt > SAVE_EVERY_MS) writeStorage(SESSION_KEY, `${id}.${(savedAt = last)}`);
    return id;
  };
}
