import { writeStorage } from './storage';

/**
 * The localStorage key that says "something may be queued" (in IndexedDB,
 * or stashed by a page as it was hidden, under `tm_q.<tab>`). Pages read it
 * at start, so that only those with something to send open IndexedDB.
 */
export const QUEUED = 'tm_q';

/** Sets the mark, to a new value each time: a drain clears it only if nobody queued meanwhile. */
export const markQueued = () => writeStorage(QUEUED, String(Math.random()));
