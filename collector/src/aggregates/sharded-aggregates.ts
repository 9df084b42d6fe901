/**
 * ShopState's use of aggregate shards, in one place: the layout it has, the
 * outbox its batches write to, delivering the outbox, moving a shop from the
 * single-object layout, and reading for a recommendation over cached
 * snapshots. ShopState calls it at four points: before a batch
 * (`prepare`), inside it (`sinkFor`), after it (`deliver`), and to rank
 * (`rank`). It is also an alarm job: units a failed delivery left behind
 * are delivered by the alarm, with backoff.
 */
import type { AlarmJob } from '../lib/alarms';
import type { Sql } from '../lib/sql';
import { aggregateShardOf, type AggregateRows } from './aggregate-rows';
import { AggregateOutbox } from './aggregate-outbox';
import type { AggregateShard } from './aggregate-shard';
import { fetchIntoCache, rankOverSnapshots, SnapshotCache, type AggregateReader } from './snapshot-reader';

/** How long a snapshot of a shard's answer is used; every delivery to the shards drops them all sooner. */
export const SNAPSHOT_TTL_MS = 2000;
/** Rows moved per transaction when a shop moves to shards. */
const MOVE_CHUNK_ROWS = 2000;

export interface ShardedAggregatesHost {
  sql: Sql;
  transaction<T>(fn: () => T): T;
  /** Runs `fn` with no other call of the object interleaved (a move to shards). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  shard(index: number): DurableObjectStub<AggregateShard>;
  clock?: () => number;
}

export class ShardedAggregates implements AlarmJob {
  readonly name = 'aggregate-outbox';
  private readonly outbox: AggregateOutbox;
  private readonly snapshots: SnapshotCache;
  private delivering: Promise<void> = Promise.resolve();
  /** Shard calls made for recommendations and units delivered, for the capacity model. */
  readonly work = { reads: 0, ranks: 0, deliveries: 0, units: 0 };

  constructor(private readonly host: ShardedAggregatesHost) {
    this.outbox = new AggregateOutbox(host.sql);
    this.snapshots = new SnapshotCache(SNAPSHOT_TTL_MS, host.clock);
  }

  /** The shards the aggregates live in now; 0: in ShopState's own tables. */
  shards(): number {
    return this.outbox.shards();
  }

  /**
   * Before a batch: a site whose setting asks for shards while its
   * aggregates are still here has them moved first (the batch waits).
   */
  async prepare(wanted: number): Promise<number> {
    const shards = this.outbox.shards();
    if (shards > 0 || wanted < 1) {
      if (shards > 0 && wanted !== shards) console.warn(`aggregateShards is ${wanted} in the settings, the aggregates are in ${shards} shards: kept there`);
      return shards;
    }
    await this.moveToShards(wanted);
    return wanted;
  }

  /**
   * Moves ShopState's own aggregate rows to `shards` shards, in bounded
   * transactions (each takes rows out of the tables and into the outbox),
   * delivering as it goes. Nothing else runs meanwhile; a move cut short
   * by a restart continues where it stopped, at the next batch.
   */
  async moveToShards(shards: number): Promise<{ moved: number }> {
    return this.host.exclusive(async () => {
      let moved = 0;
      if (this.outbox.shards() === 0) this.host.transaction(() => this.outbox.setShards(shards));
      for (;;) {
        const n = this.host.transaction(() => this.outbox.moveLocalRows(MOVE_CHUNK_ROWS));
        moved += n;
        await this.deliverNow();
        if (n === 0) return { moved };
      }
    });
  }

  /** Where a batch's aggregate rows go: the outbox, when the aggregates are in shards. */
  sinkFor(shards: number): ((rows: AggregateRows) => void) | undefined {
    return shards > 0 ? (rows) => this.outbox.enqueue(rows) : undefined;
  }

  /** Delivers the outbox; a failure leaves the units for the alarm (see due()). */
  async deliver(): Promise<void> {
    try {
      await this.deliverSerially();
    } catch (err) {
      console.warn(`delivering aggregate units failed (the alarm retries): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private deliverSerially(): Promise<void> {
    const run = this.delivering.then(() => this.deliverNow());
    this.delivering = run.catch(() => undefined);
    return run;
  }

  private async deliverNow(): Promise<void> {
    for (;;) {
      const waiting = this.outbox.waiting();
      if (waiting.size === 0) return;
      await Promise.all(
        [...waiting].map(async ([shard, units]) => {
          const last = await this.host.shard(shard).apply(units);
          this.host.transaction(() => this.outbox.delivered(shard, last));
          this.work.deliveries++;
          this.work.units += units.length;
        }),
      );
      // What the shards hold changed: the next recommendation reads it fresh.
      this.snapshots.clear();
    }
  }

  due(): number | undefined {
    return this.outbox.isEmpty() ? undefined : (this.host.clock ?? Date.now)();
  }

  async run(): Promise<void> {
    await this.deliverSerially();
  }

  /**
   * Ranks over the shards' aggregates: units still waiting are delivered
   * first (so the shop's stored events count), then `rank` runs over cached
   * snapshots, fetching what they lack (snapshot-reader.ts).
   */
  async rank<T>(rank: (reader: AggregateReader) => T): Promise<T> {
    const shards = this.outbox.shards();
    if (!this.outbox.isEmpty()) await this.deliver();
    this.work.ranks++;
    const { result, shardCalls } = await rankOverSnapshots(
      this.snapshots,
      (q) =>
        fetchIntoCache(
          this.snapshots,
          q,
          shards,
          (id) => aggregateShardOf(id, shards),
          (shard, sq) => this.host.shard(shard).read(sq),
        ),
      rank,
    );
    this.work.reads += shardCalls;
    return result;
  }
}
