/**
 * A Map that keeps at most `capacity` entries, dropping the oldest first:
 * for what a Durable Object keeps in memory between requests, whose size
 * must not grow with the shop's history. A read does not move an entry (a
 * Map delete and insert per read cost more than the occasional re-read of
 * a popular entry that was dropped).
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value, or undefined when the key is not kept (store null, not undefined, for "known to be absent"). */
  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
