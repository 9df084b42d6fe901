/**
 * Where a site's profiles live, kept in ShopState: in its own tables (0, the
 * single-object layout) or in `shards` profile shards with an identity
 * directory (site setting `profileShards`; profiles/profile-drain.ts).
 *
 * Moving a shop kept in one object: in bounded chunks, the identity graph
 * (links, merges, customers) goes to the directory and each profile's
 * document to its shard, and ShopState's copies are deleted once the
 * receiver has them (a chunk copied twice after a failure replaces what it
 * wrote: lib/copy-rows.ts). The resolution of each messageId and the
 * suppressed ids are copied and kept here too (ShopState still applies the
 * shop-wide part of each message once, and read-your-writes checks them).
 * Only when everything is across does the layout say so; until then the
 * next batch moves on from where the last attempt stopped, and no batch is
 * applied meanwhile.
 */
import { DIRECTORY_TABLES, type IdentityDirectory } from '../identity/identity-directory';
import { readRows, type TableRows } from '../lib/copy-rows';
import { first, type Sql, type SqlValue } from '../lib/sql';
import { CAMPAIGN_TABLES, PROFILE_SHARD_TABLES, profileShardOf, type ProfileShard } from '../profiles/profile-shard';
import type { CampaignDefinition, Condition } from '@trailmark/schema';

/** The name each object counts this module's schema steps under (lib/migrate.ts migrateModule): never renamed. */
export const PROFILE_LAYOUT_MODULE = 'profile-layout';

/** The module's schema steps, frozen as shipped (lib/migrate.ts migrateModule, module "profile-layout"). */
export { PROFILE_LAYOUT_MIGRATIONS } from '../schema-steps/profile-layout';

/** Rows per table per chunk of a move. */
const MOVE_CHUNK_ROWS = 500;

export interface ProfileLayoutHost {
  sql: Sql;
  transaction<T>(fn: () => T): T;
  /** Runs `fn` with no other call of the object interleaved (the move). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  directory(): DurableObjectStub<IdentityDirectory>;
  shard(index: number): DurableObjectStub<ProfileShard>;
}

/** The site's audience and campaign definitions as this object holds them (each host keeps a replica). */
function definitions(sql: Sql): { audiences: { id: string; name: string; definition: Condition }[]; campaigns: CampaignDefinition[] } {
  return {
    audiences: sql
      .exec<{ audience_id: string; name: string; definition: string }>(
        "SELECT audience_id, name, definition FROM audience_definitions WHERE deleting = 0 AND kind = 'live' ORDER BY audience_id",
      )
      .toArray()
      .map((r) => ({ id: r.audience_id, name: r.name, definition: JSON.parse(r.definition) as Condition })),
    campaigns: sql
      .exec<{ definition: string }>('SELECT definition FROM campaign_definitions ORDER BY campaign_id')
      .toArray()
      .map((r) => JSON.parse(r.definition) as CampaignDefinition),
  };
}

/** The campaign rows of some profiles (assignments keep their group wherever the profile goes). */
function campaignRowsOf(sql: Sql, profileIds: string[]): TableRows {
  const out: TableRows = {};
  for (const [table, columns] of Object.entries(CAMPAIGN_TABLES)) {
    const rows = sql
      .exec<Record<string, SqlValue>>(
        `SELECT ${columns.join(', ')} FROM ${table} WHERE profile_id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(profileIds),
      )
      .toArray();
    if (rows.length > 0) out[table] = rows.map((row) => columns.map((c) => row[c] ?? null));
  }
  return out;
}

export class ProfileLayout {
  constructor(private readonly host: ProfileLayoutHost) {}

  /** Only this object writes the layout (at the end of a move), so it is read once and kept (every recommendation asks). */
  private known: number | undefined;

  shards(): number {
    this.known ??= first<{ shards: number }>(this.host.sql, 'SELECT shards FROM profile_layout WHERE id = 1')?.shards ?? 0;
    return this.known;
  }

  /** Before a batch: a site whose setting asks for profile shards while its profiles are here has them moved first. */
  async prepare(wanted: number): Promise<number> {
    const shards = this.shards();
    if (shards > 0 || wanted < 1) {
      if (shards > 0 && wanted !== shards) console.warn(`profileShards is ${wanted} in the settings, the profiles are in ${shards} shards: kept there`);
      return shards;
    }
    await this.moveToShards(wanted);
    return this.shards();
  }

  /** Moves the profiles to `shards` shards (see above); returns the rows moved. */
  async moveToShards(shards: number): Promise<{ moved: number }> {
    return this.host.exclusive(async () => {
      if (this.shards() > 0) return { moved: 0 };
      const sql = this.host.sql;
      // A move cut short continues to the shard count it started with.
      const target = first<{ moving_to: number }>(sql, 'SELECT moving_to FROM profile_layout WHERE id = 1')?.moving_to || shards;
      this.host.transaction(() =>
        sql.exec('INSERT INTO profile_layout (id, shards, moving_to) VALUES (1, 0, ?1) ON CONFLICT (id) DO UPDATE SET moving_to = ?1', target),
      );
      let moved = 0;
      const directory = this.host.directory();
      const suppressed = sql.exec<{ id_hash: string; id_kind: string }>('SELECT id_hash, id_kind FROM suppressed').toArray();
      for (let i = 0; i < suppressed.length; i += MOVE_CHUNK_ROWS) {
        await directory.importRows({ suppressed: suppressed.slice(i, i + MOVE_CHUNK_ROWS).map((r) => [r.id_hash, r.id_kind]) });
      }
      // The graph's links and merges, and the order ids counted: to the directory, then out of here.
      for (const table of ['identities', 'merged_profiles', 'order_claims'] as const) {
        for (;;) {
          const { rows, rowids } = takeRows(sql, table, DIRECTORY_TABLES[table]!);
          if (rows.length === 0) break;
          await directory.importRows({ [table]: rows });
          this.host.transaction(() => deleteRowids(sql, table, rowids));
          moved += rows.length;
        }
      }
      // Profiles: the customer to the directory, the document to its shard.
      const columns = PROFILE_SHARD_TABLES.profiles!;
      for (;;) {
        const { rows, rowids } = takeRows(sql, 'profiles', columns);
        if (rows.length === 0) break;
        await directory.importRows({ profiles: rows.map((r) => r.slice(0, 4)) });
        await Promise.all(
          [...byShard(rows, target)].map(([shard, part]) =>
            this.host.shard(shard).importRows({
              profiles: part,
              ...campaignRowsOf(
                sql,
                part.map((r) => String(r[0])),
              ),
            }),
          ),
        );
        this.host.transaction(() => deleteRowids(sql, 'profiles', rowids));
        moved += rows.length;
      }
      // Each messageId's resolution: to the directory, and to the shard of its profile (applied there once, not again).
      for (;;) {
        const cursor = first<{ applied_cursor: number }>(sql, 'SELECT applied_cursor FROM profile_layout WHERE id = 1')?.applied_cursor ?? 0;
        const { rows, last } = readRows(sql, 'applied', DIRECTORY_TABLES.applied!, cursor, MOVE_CHUNK_ROWS);
        if (rows.length === 0) break;
        await directory.importRows({ applied: rows });
        const kept = rows.filter((r) => r[1] !== null);
        await Promise.all([...byShard(kept, target, 1)].map(([shard, part]) => this.host.shard(shard).importRows({ applied: part })));
        this.host.transaction(() => sql.exec('UPDATE profile_layout SET applied_cursor = ? WHERE id = 1', last));
        moved += rows.length;
      }
      // Each shard hosts the site's audiences and campaigns from now on: their definitions go there (memberships are evaluated there).
      const { audiences, campaigns } = definitions(sql);
      await Promise.all(
        Array.from({ length: target }, async (_, i) => {
          if (campaigns.length > 0) await this.host.shard(i).campaignDefine(campaigns, []);
          if (audiences.length > 0) await this.host.shard(i).audienceDefine(audiences, []);
        }),
      );
      // Static lists live only as memberships: each shard takes the members it now holds.
      const lists = sql
        .exec<{ audience_id: string; name: string }>("SELECT audience_id, name FROM audience_definitions WHERE deleting = 0 AND kind = 'static'")
        .toArray();
      for (const list of lists) {
        const members = sql.exec<{ profile_id: string }>('SELECT profile_id FROM audience_members WHERE audience_id = ?', list.audience_id).toArray();
        const perShard = new Map<number, string[]>();
        for (const { profile_id } of members) {
          const shard = profileShardOf(profile_id, target);
          perShard.set(shard, [...(perShard.get(shard) ?? []), profile_id]);
        }
        await Promise.all(
          Array.from({ length: target }, async (_, i) => {
            const ids = perShard.get(i) ?? [];
            // Every shard learns of the list, even with no member to take.
            for (let k = 0; k === 0 || k < ids.length; k += MOVE_CHUNK_ROWS)
              await this.host.shard(i).audienceList(list.audience_id, list.name, { add: ids.slice(k, k + MOVE_CHUNK_ROWS) });
          }),
        );
      }
      this.host.transaction(() => sql.exec('UPDATE profile_layout SET shards = moving_to WHERE id = 1'));
      this.known = target;
      return { moved };
    });
  }
}

function takeRows(sql: Sql, table: string, columns: readonly string[]): { rows: SqlValue[][]; rowids: number[] } {
  const { rows } = readRows(sql, table, columns, 0, MOVE_CHUNK_ROWS);
  const rowids = sql
    .exec<{ r: number }>(`SELECT rowid AS r FROM ${table} ORDER BY rowid LIMIT ?`, MOVE_CHUNK_ROWS)
    .toArray()
    .map((row) => row.r);
  return { rows, rowids };
}

function deleteRowids(sql: Sql, table: string, rowids: number[]): void {
  sql.exec(`DELETE FROM ${table} WHERE rowid IN (SELECT value FROM json_each(?))`, JSON.stringify(rowids));
}

/** Rows by the shard of the profile id in their `column`. */
function byShard(rows: SqlValue[][], shards: number, column = 0): Map<number, TableRows[string]> {
  const out = new Map<number, SqlValue[][]>();
  for (const row of rows) {
    const shard = profileShardOf(String(row[column]), shards);
    const list = out.get(shard);
    if (list) list.push(row);
    else out.set(shard, [row]);
  }
  return out;
}
