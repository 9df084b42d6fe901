/**
 * The first k of a list in a given order, without sorting all of it: a
 * recommendation keeps the best 60 or 200 of several hundred scored
 * products many times per answer, and a full sort of each list was a good
 * part of the answer's CPU. The result is exactly `items.sort(compare)
 * .slice(0, k)` when `compare` never calls two different items equal (a
 * strict total order: break ties by id, or by position for a stable order).
 */

/** Lists at most this much longer than k are simply sorted (selection pays off on longer ones). */
const SELECT_ABOVE = 2;

/** The k first items in `compare` order (reorders `items`; may return it). */
export function topSorted<T>(items: T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  if (items.length > SELECT_ABOVE * k + 16) {
    selectFirst(items, k, compare);
    items.length = k;
  }
  items.sort(compare);
  return items.length > k ? items.slice(0, k) : items;
}

/** Quickselect (Hoare's partition): moves the k first items in `compare` order to the front, in no particular order. */
function selectFirst<T>(a: T[], k: number, compare: (a: T, b: T) => number): void {
  const target = k - 1;
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const pivot = a[(left + right) >>> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      // The pivot equals itself, whatever `compare` says of an item and itself (by-id tie breaks often say 1).
      while (a[i] !== pivot && compare(a[i]!, pivot) < 0) i++;
      while (a[j] !== pivot && compare(a[j]!, pivot) > 0) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[left..j] come no later than the pivot and a[i..right] no earlier; anything between is the pivot.
    if (target <= j) right = j;
    else if (target >= i) left = i;
    else return;
  }
}
