/** Helpers for tests that talk to the collector through its public HTTP API, inside the Workers runtime. */
import { SELF, env } from 'cloudflare:test';
import { ingestShards } from '../../src/storage/ingest-shard-choice';

export const BASE = 'http://collector.test';
export const ADMIN = { authorization: `Bearer ${env.ADMIN_TOKEN}` };

let counter = 0;
export const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export interface SendOptions {
  headers?: Record<string, string>;
  cf?: Record<string, unknown>;
  method?: string;
}

export async function post(path: string, body: unknown, options: SendOptions = {}): Promise<Response> {
  const init: RequestInit & { cf?: Record<string, unknown> } = {
    method: options.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: typeof body === 'string' || body instanceof Uint8Array || body instanceof ReadableStream ? (body as BodyInit) : JSON.stringify(body),
  };
  if (options.cf) init.cf = options.cf;
  return SELF.fetch(`${BASE}${path}`, init);
}

/** Creates a site with its own write key, so tests do not see each other's data. */
export async function createSite(site: { allowedOrigins?: string[]; settings?: Record<string, unknown> } = {}): Promise<string> {
  const writeKey = uniqueId('wk');
  const res = await SELF.fetch(`${BASE}/v1/admin/sites/${writeKey}`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ name: writeKey, allowedOrigins: site.allowedOrigins ?? ['https://shop.example'], settings: site.settings }),
  });
  if (res.status !== 200) throw new Error(`createSite: ${res.status} ${await res.text()}`);
  return writeKey;
}

export function track(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId: uniqueId('msg'),
    anonymousId: 'anon-1',
    timestamp: new Date().toISOString(),
    properties: { product_id: 'p1' },
    ...fields,
  };
}

/** Runs every shard's drain until nothing is pending (or a poison message is all that is left), as the alarms would. */
export async function drainAll(writeKey: string): Promise<void> {
  for (const stub of ingestShards(env, writeKey)) {
    for (let i = 0; i < 100; i++) {
      const { pending } = await stub.drain();
      if (pending === 0) break;
    }
  }
}

export async function exportEvents(writeKey: string): Promise<Record<string, any>[]> {
  const events: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL(`${BASE}/v1/admin/export`);
    url.searchParams.set('writeKey', writeKey);
    url.searchParams.set('limit', '1000');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await SELF.fetch(url, { headers: ADMIN });
    if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
    const text = await res.text();
    for (const line of text.split('\n')) if (line) events.push(JSON.parse(line));
    cursor = res.headers.get('next-cursor');
  } while (cursor);
  return events;
}

export async function rejected(writeKey: string): Promise<Record<string, any>[]> {
  const res = await SELF.fetch(`${BASE}/v1/admin/rejected?writeKey=${writeKey}&limit=1000`, { headers: ADMIN });
  return ((await res.json()) as { rejected: Record<string, any>[] }).rejected;
}

export const basic = (writeKey: string) => `Basic ${btoa(`${writeKey}:`)}`;
