/**
 * One shopper's weight in what everyone sees: their view, add or order of a
 * product counts in the shop-wide aggregates (popularity, co-occurrence,
 * totals) at most once per UTC day. The write key is public, so without this
 * a handful of requests from one browser could reshape a region's slots.
 *
 * The memory lives in the shopper's profile document (read and written by the
 * drain anyway) and is bounded: the keys of the latest two days, at most
 * MAX_KEYS_PER_DAY a day — about 30 bytes a key, so a few hundred bytes for a
 * usual shopper and at most ~18 KB for one who hits the cap. Past the cap, or
 * for an event older than the day before the latest, nothing counts: neither
 * a crawler's thousandth product nor back-dated events can add weight.
 */
import { DAY_MS } from '../lib/decay';

export const MAX_KEYS_PER_DAY = 300;

/** Up to two days, latest first: the UTC day number and what already counted on it. */
export type CountedDays = { day: number; keys: string[] }[];

export type Behaviour = 'view' | 'add' | 'order';

const keyOf = (behaviour: Behaviour, productId: string) => `${behaviour[0]}:${productId}`;

/**
 * Records that `behaviour` on `productId` happened at `atMs` and says whether
 * it counts (the first time that day). Mutates `days`.
 */
export function countOnce(days: CountedDays, behaviour: Behaviour, productId: string, atMs: number): boolean {
  const day = Math.floor(atMs / DAY_MS);
  const latest = days[0]?.day;
  if (latest === undefined || day > latest) {
    // A new day: keep the one before it, if it is yesterday.
    const keep = days.filter((d) => d.day === day - 1);
    days.splice(0, days.length, { day, keys: [] }, ...keep);
  } else if (day < latest - 1) {
    return false;
  }
  let entry = days.find((d) => d.day === day);
  if (!entry) {
    // The day before the latest, not remembered yet.
    entry = { day, keys: [] };
    days.splice(1, days.length, entry);
  }
  const key = keyOf(behaviour, productId);
  if (entry.keys.includes(key) || entry.keys.length >= MAX_KEYS_PER_DAY) return false;
  entry.keys.push(key);
  return true;
}

/** The memory of a profile joined into another: union per day, the latest two days, capped. */
export function mergeCounted(a: CountedDays, b: CountedDays): CountedDays {
  const byDay = new Map<number, Set<string>>();
  for (const { day, keys } of [...a, ...b]) {
    const set = byDay.get(day) ?? new Set<string>();
    keys.forEach((k) => set.add(k));
    byDay.set(day, set);
  }
  const latest = Math.max(...byDay.keys());
  return [...byDay.entries()]
    .filter(([day]) => day >= latest - 1)
    .sort((x, y) => y[0] - x[0])
    .map(([day, keys]) => ({ day, keys: [...keys].slice(0, MAX_KEYS_PER_DAY) }));
}
