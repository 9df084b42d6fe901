/**
 * Shipped schema steps never change: an object that ran step N never runs
 * it again, so an edit would reach new objects only and leave the rest on
 * another schema. Each step's digest is pinned here; a new step appends
 * its digest, and no test is changed to let an existing step differ.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AGGREGATE_OUTBOX_MIGRATIONS } from './aggregate-outbox';
import { AGGREGATE_SHARD_MIGRATIONS } from './aggregate-shard';
import { AUDIENCE_HOST_MIGRATIONS } from './audience-host';
import { CAMPAIGN_MIGRATIONS } from './campaign-host';
import { OUTBOX_MIGRATIONS } from './destination-outbox';
import { DIRECTORY_MIGRATIONS } from './identity-directory';
import { INGEST_SETTLED_MIGRATIONS } from './ingest-settled';
import { INGEST_SHARD_MIGRATIONS } from './ingest-shard';
import { PROFILE_LAYOUT_MIGRATIONS } from './profile-layout';
import { PROFILE_SHARD_MIGRATIONS } from './profile-shard';
import { SHOP_MIGRATIONS } from './shop-state';

const SHIPPED: Record<string, string[]> = {
  SHOP_MIGRATIONS: ['1bbca5c1be3be7d6', '799e603ca71f6946', '5a70fdc3d452ed36', 'e6c207b13487e05c', '931e260a8ead75f5', '846cdd462afc9955', '72ab1703dd75555f', '92e5f07ca3683350', '476a72aab8a6d05e', '50421c6f2d419ab8', '2a7457040457dc47'],
  AGGREGATE_SHARD_MIGRATIONS: ['a49dfaa544a6e956', '72ab1703dd75555f', '92e5f07ca3683350'],
  DIRECTORY_MIGRATIONS: ['7b191cce1c767367', 'e6c207b13487e05c', '931e260a8ead75f5', '476a72aab8a6d05e', '50421c6f2d419ab8', '2a7457040457dc47'],
  PROFILE_SHARD_MIGRATIONS: ['1a6ad767f6660175', 'e6c207b13487e05c', '02affb9214292ca6'],
  AUDIENCE_HOST_MIGRATIONS: ['d2e461debb237255', 'd4a79e8f9de8c956', '455d74cc787ddb9a', '37187470e43ec3da'],
  CAMPAIGN_MIGRATIONS: ['5af7abcc410abcf1', '9a7769f6c2c0f2b2', '99d1318fc47fb8e5'],
};

const STEPS: Record<string, readonly string[]> = { SHOP_MIGRATIONS, AGGREGATE_SHARD_MIGRATIONS, DIRECTORY_MIGRATIONS, PROFILE_SHARD_MIGRATIONS, AUDIENCE_HOST_MIGRATIONS, CAMPAIGN_MIGRATIONS };

// IngestShard, DestinationOutbox and the modules ShopState hosts: moved here from beside their code, with the
// digests of the lists as they ran before the move.
const SHIPPED_MOVED: Record<string, string[]> = {
  INGEST_SHARD_MIGRATIONS: ['0e0f64f2b9c78e00', '4badc81c073bb83c', '5a6545242af0ef34'],
  OUTBOX_MIGRATIONS: ['dfade5f16a0a8816'],
  AGGREGATE_OUTBOX_MIGRATIONS: ['0507344a42b54792'],
  PROFILE_LAYOUT_MIGRATIONS: ['bac2eb2c6ccafb70'],
  INGEST_SETTLED_MIGRATIONS: ['6bc7ada0852c4f82'],
};

const STEPS_MOVED: Record<string, readonly string[]> = {
  INGEST_SHARD_MIGRATIONS,
  OUTBOX_MIGRATIONS,
  AGGREGATE_OUTBOX_MIGRATIONS,
  PROFILE_LAYOUT_MIGRATIONS,
  INGEST_SETTLED_MIGRATIONS,
};

const digest = (step: string) => createHash('sha256').update(step).digest('hex').slice(0, 16);

describe('schema steps', () => {
  const shipped = { ...SHIPPED, ...SHIPPED_MOVED };
  for (const [name, steps] of Object.entries({ ...STEPS, ...STEPS_MOVED })) {
    it(`${name}: every shipped step is as it shipped, in its place`, () => {
      expect(steps.slice(0, shipped[name]!.length).map(digest)).toEqual(shipped[name]);
    });
  }
});
