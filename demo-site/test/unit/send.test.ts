/**
 * The sender against a stand-in collector (a local HTTP server): what goes on
 * the wire, retries, and the errors a user sees.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pendingMessages, uploadCatalog, waitUntilStored } from '../../simulate/admin-client';
import { generateCatalog } from '../../simulate/catalog';
import { seedDemoData } from '../../simulate/seed';
import { SendError, batches, headerSafe, sendVisits } from '../../simulate/send';
import { type Visit, simulateShoppers } from '../../simulate/shoppers';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

type Handler = (req: Received, res: ServerResponse) => void;

let server: Server | undefined;

/** A local server that records every request and answers with `handler`. */
async function standIn(handler: Handler): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, received };
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Accepts every batch, as the collector does when all is well. */
const acceptAll: Handler = (req, res) => {
  if (req.path === '/healthz') return void res.end('ok');
  if (req.path.startsWith('/v1/admin/ingest-status')) return json(res, 200, { pending: 0 });
  const { batch } = JSON.parse(req.body) as { batch: unknown[] };
  json(res, 200, { ok: true, accepted: batch.length, rejected: [] });
};

const catalog = generateCatalog({ size: 60, seed: 1 });
const visitsOf = (visitors: number, seed = 5): Visit[] => simulateShoppers({ catalog, seed, visitors, now: Date.parse('2026-03-01T00:00:00Z') }).visits;
const batchBodies = (received: Received[]) =>
  received.filter((r) => r.path === '/v1/batch').map((r) => JSON.parse(r.body) as { writeKey: string; sentAt: string; batch: { messageId: string }[] });

describe('sendVisits', () => {
  it('posts every message once, as text/plain batches with the write key, sentAt, browser and geo of its visit', async () => {
    const { url, received } = await standIn(acceptAll);
    const visits = visitsOf(12);
    const summary = await sendVisits({ url, writeKey: 'demo-write-key', visits, concurrency: 3, maxBatch: 20 });

    const total = visits.reduce((n, v) => n + v.messages.length, 0);
    expect(summary.events).toBe(total);
    expect(summary.visits).toBe(visits.length);
    expect(summary.shoppers).toBe(12);
    const sent = batchBodies(received).flatMap((b) => b.batch.map((m) => m.messageId));
    expect(sent.sort()).toEqual(visits.flatMap((v) => v.messages.map((m) => m.messageId)).sort());

    const byMessage = new Map(visits.flatMap((v) => v.messages.map((m) => [m.messageId, v] as const)));
    for (const request of received) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('text/plain;charset=UTF-8');
      const body = JSON.parse(request.body) as { writeKey: string; sentAt: string; batch: { messageId: string }[] };
      expect(body.writeKey).toBe('demo-write-key');
      expect(Math.abs(Date.parse(body.sentAt) - Date.now())).toBeLessThan(60_000);
      expect(body.batch.length).toBeGreaterThan(0);
      expect(body.batch.length).toBeLessThanOrEqual(20);
      const visit = byMessage.get(body.batch[0]!.messageId)!;
      expect(body.batch.every((m) => byMessage.get(m.messageId) === visit)).toBe(true);
      expect(request.headers['user-agent']).toBe(visit.userAgent);
      // Node's server hands header bytes over as Latin-1; the collector reads them as UTF-8.
      const utf8 = (name: string) => Buffer.from(String(request.headers[name]), 'latin1').toString('utf8');
      expect({ country: utf8('x-geo-country'), region: utf8('x-geo-region'), city: utf8('x-geo-city') }).toEqual(visit.geo);
    }
    expect(Object.values(summary.regions).reduce((a, b) => a + b, 0)).toBe(visits.length);
  });

  it("sends one shopper's messages in order, one request after another", async () => {
    const { url, received } = await standIn(acceptAll);
    const visits = visitsOf(8);
    await sendVisits({ url, writeKey: 'k', visits, concurrency: 4 });
    const order = new Map(
      visits.flatMap((v) =>
        v.messages.map((m, i) => [m.messageId, { shopper: v.shopper, at: `${v.messages[0]!.timestamp}#${String(i).padStart(4, '0')}` }] as const),
      ),
    );
    const seen = new Map<string, string>();
    for (const body of batchBodies(received)) {
      for (const m of body.batch) {
        const { shopper, at } = order.get(m.messageId)!;
        expect(at > (seen.get(shopper) ?? '')).toBe(true);
        seen.set(shopper, at);
      }
    }
  });

  it('retries 429 and 503 after Retry-After, and stores nothing twice', async () => {
    let calls = 0;
    const { url, received } = await standIn((req, res) => {
      calls++;
      if (calls === 1) return json(res, 429, { ok: false, error: 'rate_limited', message: 'slow down' }, { 'retry-after': '1' });
      if (calls === 2) return json(res, 503, { ok: false, error: 'unavailable', message: 'retry' }, { 'retry-after': '0' });
      acceptAll(req, res);
    });
    const visits = visitsOf(1);
    const started = Date.now();
    const summary = await sendVisits({ url, writeKey: 'k', visits, concurrency: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(summary.retries).toBe(2);
    expect(summary.events).toBe(visits.reduce((n, v) => n + v.messages.length, 0));
    // The retried batch is the same messages again (the collector dedupes by messageId).
    const [first, second, third] = batchBodies(received);
    expect(second!.batch).toEqual(first!.batch);
    expect(third!.batch).toEqual(first!.batch);
  });

  it('counts messages the collector rejects and keeps their reasons', async () => {
    const { url } = await standIn((req, res) => {
      const { batch } = JSON.parse(req.body) as { batch: { messageId: string }[] };
      json(res, 200, { ok: true, accepted: batch.length - 1, rejected: [{ index: 0, messageId: batch[0]!.messageId, reason: 'event must not be empty' }] });
    });
    const summary = await sendVisits({ url, writeKey: 'k', visits: visitsOf(1), concurrency: 1 });
    expect(summary.rejected).toBe(summary.requests);
    expect(summary.rejectedReasons[0]).toBe('event must not be empty');
  });

  it('stops at once with a clear message when the write key is unknown', async () => {
    const { url, received } = await standIn((_req, res) => json(res, 401, { ok: false, error: 'unknown_write_key', message: 'Unknown write key' }));
    const error = await sendVisits({ url, writeKey: 'nope', visits: visitsOf(10), concurrency: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).message).toContain('write key "nope"');
    expect(received.length).toBeLessThanOrEqual(2);
  });

  it('says what to do when nothing answers at the URL', async () => {
    const { url } = await standIn(acceptAll);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await sendVisits({ url, writeKey: 'k', visits: visitsOf(1), attempts: 2 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Nothing answers at .*npm start/);
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(sendVisits({ url: 'localhost:8787', writeKey: 'k', visits: [] })).rejects.toThrow(/not an http\(s\) URL/);
    await expect(sendVisits({ url: 'not a url', writeKey: 'k', visits: [] })).rejects.toThrow(/not a URL/);
  });
});

describe('batches', () => {
  it('splits a visit into requests of at most maxBatch messages, in order, the same way every time', () => {
    for (const visit of visitsOf(5)) {
      const split = batches(visit, 7);
      expect(split.flat()).toEqual(visit.messages);
      expect(split.every((b) => b.length >= 1 && b.length <= 7)).toBe(true);
      expect(batches(visit, 7)).toEqual(split);
    }
  });
});

describe('headerSafe', () => {
  it('passes a value as its UTF-8 bytes', () => {
    expect(headerSafe('California')).toBe('California');
    expect(Buffer.from(headerSafe('São Paulo'), 'latin1').toString('utf8')).toBe('São Paulo');
    expect(Buffer.from(headerSafe('東京'), 'latin1').toString('utf8')).toBe('東京');
  });
});

describe('admin calls', () => {
  it('uploads the catalog as NDJSON with the admin token and the write key', async () => {
    const { url, received } = await standIn((_req, res) => json(res, 200, { ok: true, loaded: 60, rejected: [], catalogSize: 60 }));
    const result = await uploadCatalog({ url, adminToken: 'secret', writeKey: 'demo-write-key', products: catalog });
    expect(result).toEqual({ status: 'loaded', loaded: 60, rejected: 0, catalogSize: 60 });
    const [request] = received;
    expect(request!.method).toBe('PUT');
    expect(request!.path).toBe('/v1/admin/catalog?writeKey=demo-write-key');
    expect(request!.headers.authorization).toBe('Bearer secret');
    expect(request!.headers['content-type']).toBe('application/x-ndjson');
    expect(
      request!.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(catalog);
  });

  it('reports a collector without the catalog endpoint as unsupported rather than failing', async () => {
    const { url } = await standIn((_req, res) => json(res, 404, { ok: false, error: 'not_found', message: 'No such path' }));
    expect(await uploadCatalog({ url, adminToken: 't', writeKey: 'k', products: catalog })).toEqual({ status: 'unsupported' });
  });

  it('says the admin token is wrong on 401, and that admin is off on 503', async () => {
    const { url } = await standIn((req, res) =>
      req.headers.authorization === 'Bearer off'
        ? json(res, 503, { message: 'No ADMIN_TOKEN is configured' })
        : json(res, 401, { message: 'Send the admin token' }),
    );
    await expect(pendingMessages({ url, adminToken: 'wrong' })).rejects.toThrow(/refused the admin token/);
    await expect(pendingMessages({ url, adminToken: 'off' })).rejects.toThrow(/Admin endpoints are off.*No ADMIN_TOKEN/);
  });

  it('waits until nothing is pending', async () => {
    let pending = 3;
    const { url } = await standIn((_req, res) => json(res, 200, { pending: Math.max(0, pending--) }));
    const seen: number[] = [];
    await waitUntilStored({ url, adminToken: 't', intervalMs: 5, onPending: (p) => seen.push(p) });
    expect(seen).toEqual([3, 2, 1]);
  });

  it('waits for one site only when given its write key, and names it when that takes too long', async () => {
    // Another site's backlog (the demo seed's) never drains here; the asked site's does.
    let mine = 2;
    const { url, received } = await standIn((req, res) => json(res, 200, { pending: req.path.includes('writeKey=e2e%2Fsite') ? Math.max(0, mine--) : 5000 }));
    await waitUntilStored({ url, adminToken: 't', writeKey: 'e2e/site', intervalMs: 5 });
    expect(received.map((r) => r.path)).toEqual(Array(3).fill('/v1/admin/ingest-status?writeKey=e2e%2Fsite'));
    await expect(waitUntilStored({ url, adminToken: 't', writeKey: 'other', timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      /5000 messages for other were still waiting to be stored after 0 s/,
    );
  });
});

describe('seedDemoData', () => {
  it('checks the collector and the token, loads the catalog, sends the shoppers and waits for storage', async () => {
    const { url, received } = await standIn((req, res) => (req.path.startsWith('/v1/admin/catalog') ? json(res, 404, {}) : acceptAll(req, res)));
    const notes: string[] = [];
    const result = await seedDemoData({ url, adminToken: 't', visitors: 4, catalogSize: 30, seed: 2, log: (l) => notes.push(l) });
    expect(received[0]!.path).toBe('/healthz');
    expect(received[1]!.path).toBe('/v1/admin/ingest-status');
    expect(received[2]!.path).toBe('/v1/admin/catalog?writeKey=demo-write-key');
    expect(received.at(-1)!.path).toBe('/v1/admin/ingest-status');
    expect(result.catalog).toEqual({ status: 'unsupported' });
    expect(notes.some((n) => n.includes('404'))).toBe(true);
    expect(result.send.shoppers).toBe(4);
    expect(result.truth.shoppers).toHaveLength(4);
    expect(result.storedAfterMs).toBeGreaterThanOrEqual(0);
  });
});
