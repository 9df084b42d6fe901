/** Reading the R2 archive in tests: every object of a site, its key, metadata and lines. */
import { env } from 'cloudflare:test';

export async function archived(writeKey: string): Promise<{ key: string; metadata: Record<string, string>; lines: Record<string, any>[] }[]> {
  const objects = [];
  let cursor: string | undefined;
  do {
    const listing = await env.ARCHIVE.list({ prefix: `events/write_key=${encodeURIComponent(writeKey)}/`, cursor, include: ['customMetadata'] });
    objects.push(...listing.objects);
    cursor = listing.truncated ? listing.cursor : undefined;
  } while (cursor);
  return Promise.all(
    objects.map(async ({ key, customMetadata }) => {
      const object = await env.ARCHIVE.get(key);
      const text = await new Response(object!.body.pipeThrough(new DecompressionStream('gzip'))).text();
      return {
        key,
        metadata: customMetadata ?? {},
        lines: text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      };
    }),
  );
}

export const archivedLines = async (writeKey: string) => (await archived(writeKey)).flatMap((o) => o.lines);
