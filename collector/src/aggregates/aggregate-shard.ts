/**
 * AggregateShard: one of a site's `aggregateShards` objects holding the
 * recommendation aggregates of the products that hash to it (popularity per
 * scope, links from them, item totals, repurchase intervals), in the same
 * tables ShopState uses in the single-object layout.
 *
 * ShopState is its only writer: units from its outbox (aggregate-outbox.ts),
 * delivered in order; a unit id at or below the last applied one is a
 * repeat and is skipped, so each unit counts once. Reads answer a batch of
 * keys at once (snapshot-reader.ts), so a recommendation calls a shard at
 * most once per pass.
 */
import { DurableObject } from 'cloudflare:workers';
import { migrate } from '../lib/migrate';
import { AggregateStore } from '../recommend/aggregate-store';
import { applyUnits } from './aggregate-rows';
import { AGGREGATE_SHARD_MIGRATIONS } from '../schema-steps/aggregate-shard';
import type { AggregateUnit } from './aggregate-outbox';
import { answerQuery, type AggregateAnswer, type AggregateQuery } from './snapshot-reader';

export class AggregateShard extends DurableObject<Env> {
  private readonly store: AggregateStore;
  /** Work done, for the capacity model (bench/capacity.ts). */
  private readonly work = { units: 0, repeats: 0, reads: 0, keysRead: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.transactionSync(() => migrate(ctx.storage.sql, AGGREGATE_SHARD_MIGRATIONS));
    this.store = new AggregateStore(ctx.storage.sql);
  }

  /** Applies units in order, each once; returns the last unit id applied (the delivery's acknowledgement). */
  apply(units: AggregateUnit[]): number {
    return this.ctx.storage.transactionSync(() => {
      const { last, applied, repeats } = applyUnits(this.ctx.storage.sql, units);
      this.work.units += applied;
      this.work.repeats += repeats;
      return last;
    });
  }

  read(query: AggregateQuery): AggregateAnswer {
    this.work.reads++;
    this.work.keysRead += query.tops.length + query.neighbours.length + query.totals.length + query.repurchase.length;
    return answerQuery(this.store, query);
  }

  /** Rows held, for tests and the admin's view of a migration. */
  counts(): { popularity: number; links: number; totals: number; repurchase: number } {
    const n = (table: string) => this.ctx.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return { popularity: n('popularity'), links: n('links'), totals: n('item_totals'), repurchase: n('repurchase') };
  }

  workDone() {
    return { ...this.work };
  }
}

export function aggregateShardStub(env: Env, writeKey: string, index: number) {
  return env.AGGREGATE_SHARD.getByName(`${writeKey}#a${index}`);
}
