/** Builders for shopping journeys as the tag sends them, for the profile and recommendation tests. */
import { SELF } from 'cloudflare:test';
import { ADMIN, BASE, drainAll, post, uniqueId } from './collector';

export interface Geo {
  country: string;
  region: string;
}

export const product = (id: string, extra: Record<string, unknown> = {}) => ({
  product_id: id,
  name: `Product ${id}`,
  price: 10,
  currency: 'USD',
  category: 'Outdoor > Tents',
  url: `/product/${id}`,
  image_url: `/img/${id}.svg`,
  ...extra,
});

export function event(anonymousId: string, name: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { type: 'track', event: name, messageId: uniqueId('m'), anonymousId, timestamp: new Date().toISOString(), properties, ...extra };
}

export const viewed = (anonymousId: string, id: string, extra: Record<string, unknown> = {}) => event(anonymousId, 'Product Viewed', product(id, extra));
export const added = (anonymousId: string, id: string) => event(anonymousId, 'Product Added', { ...product(id), quantity: 1 });
export const ordered = (anonymousId: string, ids: string[], at?: string) =>
  event(
    anonymousId,
    'Order Completed',
    { order_id: uniqueId('o'), total: ids.length * 10, currency: 'USD', products: ids.map((id) => ({ ...product(id), quantity: 1 })) },
    at ? { timestamp: at } : {},
  );

export async function send(writeKey: string, batch: unknown[], geo?: Geo): Promise<void> {
  const res = await post('/v1/batch', { writeKey, batch }, geo ? { cf: { country: geo.country, region: geo.region } } : {});
  if (res.status !== 200) throw new Error(`send: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { rejected: unknown[] };
  if (body.rejected.length) throw new Error(`rejected: ${JSON.stringify(body.rejected)}`);
}

export async function sendAndStore(writeKey: string, batch: unknown[], geo?: Geo): Promise<void> {
  await send(writeKey, batch, geo);
  await drainAll(writeKey);
}

export async function recommend(writeKey: string, params: Record<string, string>, geo?: Geo): Promise<Response> {
  const url = new URL(`${BASE}/v1/recommendations`);
  url.searchParams.set('writeKey', writeKey);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return SELF.fetch(url, geo ? { cf: { country: geo.country, region: geo.region } } : {});
}

export async function recommendations(writeKey: string, params: Record<string, string>, geo?: Geo) {
  const res = await recommend(writeKey, params, geo);
  if (res.status !== 200) throw new Error(`recommend: ${res.status} ${await res.text()}`);
  return (await res.json()) as {
    recId: string;
    slot: string;
    variant: string;
    strategy: string;
    items: { productId: string; name: string; reason: string; score: number; price?: number; url?: string; imageUrl?: string }[];
  };
}

export async function profileOf(writeKey: string, id: string) {
  const res = await SELF.fetch(`${BASE}/v1/admin/profiles/${encodeURIComponent(id)}?writeKey=${writeKey}`, { headers: ADMIN });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function uploadCatalog(writeKey: string, body: string, contentType = 'application/x-ndjson') {
  const res = await SELF.fetch(`${BASE}/v1/admin/catalog?writeKey=${writeKey}`, {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
