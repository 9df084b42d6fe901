/**
 * A seeded pseudo-random generator, so the catalog and the shoppers are the
 * same on every machine for the same seed.
 *
 * sfc32 (128-bit state) rather than a one-word generator such as mulberry32:
 * every shopper gets its own stream, and with 32 bits of state thousands of
 * streams would overlap, repeating message ids, which the collector would
 * then (rightly) store only once.
 */

/** Mixes any number of integers or strings into 32-bit words (MurmurHash3's finaliser over FNV-1a). */
export function hashWords(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? `#${part}` : `$${part}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The same parts give the same stream; `new Random(seed, 'shopper', 7)` is shopper 7's own stream. */
  constructor(...seedParts: (number | string)[]) {
    this.a = hashWords(...seedParts, 'a');
    this.b = hashWords(...seedParts, 'b');
    this.c = hashWords(...seedParts, 'c');
    this.d = hashWords(...seedParts, 'd') | 1;
    // Warm up so that similar seeds do not start with similar outputs.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks with probability proportional to weight(item); items of weight 0 are never picked. */
  weighted<T>(items: readonly T[], weight: (item: T, index: number) => number): T {
    let total = 0;
    for (let i = 0; i < items.length; i++) total += Math.max(0, weight(items[i] as T, i));
    if (!(total > 0)) return this.pick(items);
    let target = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      target -= Math.max(0, weight(items[i] as T, i));
      if (target < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /**
   * Picks with precomputed running totals of the weights (cumulative[i] = sum of weights 0..i):
   * a binary search instead of a pass over the weights, for choices made many times.
   */
  weightedByTotals<T>(items: readonly T[], cumulative: readonly number[]): T {
    const total = cumulative[cumulative.length - 1] ?? 0;
    if (!(total > 0)) return this.pick(items);
    const target = this.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return items[lo] as T;
  }

  /** A new array in random order (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** Exponentially distributed with the given mean (waiting times between visits). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Geometric count ≥ min with the given mean (views in a session). */
  count(min: number, mean: number): number {
    const p = 1 / (mean - min + 1);
    let n = min;
    while (!this.chance(p) && n < min + 100) n++;
    return n;
  }

  /** n lowercase hex digits. */
  hex(n: number): string {
    let out = '';
    while (out.length < n) out += hex8(this.nextUint32());
    return out.slice(0, n);
  }

  /** An RFC 4122 version-4 UUID, as browsers make with crypto.randomUUID(). */
  uuid(): string {
    const a = hex8(this.nextUint32());
    const b = hex8(((this.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0);
    const c = hex8(((this.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0);
    const d = hex8(this.nextUint32());
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  }
}

function hex8(word: number): string {
  return word.toString(16).padStart(8, '0');
}
