/**
 * The ack token: what a batch answer (`POST /v1/batch`, every ingest path)
 * tells a browser, in its `Trailmark-Ack` header, about where its events went: the ingest shard that holds
 * them, out of how many, and the seq of the last pending row written with
 * them. The tag keeps the newest one while it has sent nothing since, and
 * passes it with its slot requests (`ack=`). ShopState knows how far it has
 * applied each ingest shard (shop/ingest-settled.ts): when the token's row
 * is applied, the browser has nothing pending and the answer needs no call
 * to the shard (read-your-writes without the second object call).
 *
 * Opaque to clients: `<shard>.<shards>.<seq>`, base 36. Nothing in it is a
 * secret or a proof: a forged or stale token can only leave pending events
 * out of its own answer, and only the request's shopper's: with a token the
 * shard is not asked, so every not-yet-stored event with the request's ids
 * is left out, the browser's own and any sent for it by someone else (the
 * shop's server sending `Order Completed` with the cookie's anonymousId),
 * until it is stored (usually within a second). Pure: tested beside.
 */

export interface AckToken {
  /** The ingest shard the batch went to (its index among the site's shards). */
  shard: number;
  /** How many ingest shards the site had then (INGEST_SHARDS). */
  shards: number;
  /** The seq of the last pending row written with the batch. */
  seq: number;
}

/** Ingest shards a token may name; far above any deployment's INGEST_SHARDS. */
const MAX_SHARDS = 36 ** 3;
const TOKEN = /^([0-9a-z]{1,3})\.([0-9a-z]{1,3})\.([0-9a-z]{1,11})$/;

export function formatAck(token: AckToken): string {
  return `${token.shard.toString(36)}.${token.shards.toString(36)}.${token.seq.toString(36)}`;
}

/** The token, or undefined when `value` is not one (the route then answers as without a token). */
export function parseAck(value: string): AckToken | undefined {
  const match = TOKEN.exec(value);
  if (!match) return undefined;
  const [shard, shards, seq] = [match[1]!, match[2]!, match[3]!].map((part) => parseInt(part, 36)) as [number, number, number];
  if (shards < 1 || shards >= MAX_SHARDS || shard >= shards || seq > Number.MAX_SAFE_INTEGER) return undefined;
  return { shard, shards, seq };
}

/**
 * The token's shard and seq when it speaks for this browser's shard now
 * (`shard`, the index its events go to out of `shards`); undefined when the
 * shard count changed since it was given, or it names another shard (another
 * browser's token, or a forged one): then the route asks the shard as
 * without a token.
 */
export function ackForBrowser(token: AckToken | undefined, shard: number, shards: number): { shard: number; seq: number } | undefined {
  if (!token || token.shards !== shards || token.shard !== shard) return undefined;
  return { shard: token.shard, seq: token.seq };
}
