/** An aggregate shard's schema steps (lib/migrate.ts): append, never edit one that has shipped. */
import { AGGREGATE_SCHEMA } from '../recommend/aggregate-store';
import { FLOOR_WINDOW_SCHEMA, POPULARITY_FLOOR_SCHEMA } from '../recommend/popularity-floor';
import { AGGREGATE_SHARD_TABLES } from './aggregate-rows';

export const AGGREGATE_SHARD_MIGRATIONS: readonly string[] = [`${AGGREGATE_SCHEMA}\n${AGGREGATE_SHARD_TABLES}`, POPULARITY_FLOOR_SCHEMA, FLOOR_WINDOW_SCHEMA];
