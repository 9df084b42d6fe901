/**
 * A Map that keeps at most `capacity` units of entries (one unit each, or
 * the weight given with it: rows, say), dropping the oldest first: for what
 * a Durable Object keeps in memory between requests, whose size must not
 * grow with the shop's history. A read does not move an entry (a Map delete
 * and insert per read cost more than the occasional re-read of a popular
 * entry that was dropped).
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private used = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Units held. */
  get weight(): number {
    return this.used;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value, or undefined when the key is not kept (store null, not undefined, for "known to be absent"). */
  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: K, value: V, weight = 1): void {
    this.delete(key);
    this.entries.set(key, { value, weight });
    this.used += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.capacity || oldest === key) break;
      this.entries.delete(oldest);
      this.used -= entry.weight;
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}
