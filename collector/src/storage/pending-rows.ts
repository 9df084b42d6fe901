/**
 * How accepted messages are laid out in an IngestShard's buffer: chunks of
 * JSON, each within a bound of messages and of bytes, packed into rows that
 * stay within the same bounds. Durable Object SQLite takes at most 2 MB in a
 * row, and a drain takes at most MAX_ROW_MESSAGES messages, so neither group
 * commit (many requests in one write) nor one large request can make a row
 * the storage refuses or a drain larger than intended. Pure, tested beside.
 */

/** Messages in one row, and at most in one drain. */
export const MAX_ROW_MESSAGES = 1000;
/** Bytes of one row's JSON, counted as three per UTF-16 unit (an upper bound of UTF-8): well under the 2 MB cap. */
export const MAX_ROW_BYTES = 1_500_000;

/** Part of a request's items, serialised once: a JSON array of `count` items. */
export interface PendingChunk {
  json: string;
  count: number;
}

const bytesOf = (chars: number) => chars * 3;

/** Serialises items into chunks within both bounds (an item is never split; one item is far below them). */
export function toChunks(items: readonly unknown[]): PendingChunk[] {
  const chunks: PendingChunk[] = [];
  let parts: string[] = [];
  let chars = 2;
  const flush = () => {
    if (parts.length === 0) return;
    chunks.push({ json: `[${parts.join(',')}]`, count: parts.length });
    parts = [];
    chars = 2;
  };
  for (const item of items) {
    const json = JSON.stringify(item);
    if (parts.length >= MAX_ROW_MESSAGES || bytesOf(chars + json.length + 1) > MAX_ROW_BYTES) flush();
    parts.push(json);
    chars += json.length + 1;
  }
  flush();
  return chunks;
}

/** Joins consecutive chunks (of requests that arrived together) into as few rows as the bounds allow, in order. */
export function packRows(chunks: readonly PendingChunk[]): PendingChunk[] {
  const rows: PendingChunk[] = [];
  let parts: string[] = [];
  let count = 0;
  let chars = 2;
  const flush = () => {
    if (parts.length === 0) return;
    rows.push({ json: `[${parts.join(',')}]`, count });
    parts = [];
    count = 0;
    chars = 2;
  };
  for (const chunk of chunks) {
    if (chunk.count === 0) continue;
    const inner = chunk.json.slice(1, -1);
    if (count + chunk.count > MAX_ROW_MESSAGES || bytesOf(chars + inner.length + 1) > MAX_ROW_BYTES) flush();
    parts.push(inner);
    count += chunk.count;
    chars += inner.length + 1;
  }
  flush();
  return rows;
}
