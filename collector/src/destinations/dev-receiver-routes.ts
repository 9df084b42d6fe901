/**
 * Local development only (DEV_MODE): a webhook receiver inside the Worker,
 * so a person running `npm start` can watch deliveries arrive.
 *
 *   POST /dev/webhooks/in/:destinationId[?fail=N]  receives, verifies the signature with the
 *                                                  `standardwebhooks` package (as a real receiver
 *                                                  would) and records it; with ?fail=N it answers
 *                                                  503 (Retry-After: 1) to the first N arrivals of
 *                                                  each webhook-id, to show retries
 *   GET  /dev/webhooks[?destination=&type=]        the last deliveries, with their verification result
 *   GET  /dev/webhooks.json                        the same as JSON
 *
 * It asks the destination's own object for the secrets to verify with: a
 * real receiver would have been given the secret when the destination was
 * created. In production none of this exists (404).
 */
import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import { RESOURCE_ID } from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { ApiError } from '../http/errors';
import { readBodyText } from '../http/read-body';
import { destinationStub } from './destination-directory';

const MAX_BODY_BYTES = 256 * 1024;
const SHOWN = 50;

export interface Receipt {
  id: number;
  destinationId: string;
  receivedAt: string;
  webhookId: string | null;
  type: string | null;
  verified: boolean;
  verifyError: string | null;
  status: number;
  arrival: number;
  body: string;
}

interface ReceiptRow {
  id: number;
  destination_id: string;
  received_at: string;
  webhook_id: string | null;
  type: string | null;
  verified: number;
  verify_error: string | null;
  status: number;
  arrival: number;
  body: string;
}

export function devReceiverRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/dev/*', async (c, next) => {
    if (c.env.DEV_MODE !== 'true') throw new ApiError(404, 'not_found', 'The demo webhook receiver exists only in local development (DEV_MODE).');
    await next();
  });

  app.post('/dev/webhooks/in/:destinationId', async (c) => {
    const destinationId = c.req.param('destinationId');
    if (!RESOURCE_ID.test(destinationId)) throw new ApiError(404, 'not_found', 'Deliver to /dev/webhooks/in/<destination id>.');
    const body = await readBodyText(c.req.raw, MAX_BODY_BYTES);
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, c.req.header(name) ?? '']));
    const webhookId = headers['webhook-id'] || null;
    const { verified, error } = verify(await destinationStub(c.env, destinationId).signingSecrets(), body, headers);
    let payload: { type?: string; data?: { profile?: { profileId?: string } } } = {};
    try {
      payload = JSON.parse(body);
    } catch {}
    const previous = webhookId
      ? ((await c.env.DB.prepare('SELECT COUNT(*) AS n FROM dev_webhook_receipts WHERE webhook_id = ?').bind(webhookId).first<{ n: number }>())?.n ?? 0)
      : 0;
    const failFirst = Math.max(0, Math.min(20, Number(c.req.query('fail') ?? 0) || 0));
    const status = !verified ? 401 : previous < failFirst ? 503 : 200;
    await c.env.DB.prepare(
      `INSERT INTO dev_webhook_receipts (destination_id, received_at, webhook_id, type, profile_id, verified, verify_error, status, arrival, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
      .bind(
        destinationId,
        new Date().toISOString(),
        webhookId,
        payload.type ?? null,
        payload.data?.profile?.profileId ?? null,
        verified ? 1 : 0,
        error,
        status,
        previous + 1,
        body.slice(0, 16_000),
      )
      .run();
    if (status === 503)
      return c.json({ ok: false, message: `failing on purpose (arrival ${previous + 1} of ${failFirst} to fail)` }, 503, { 'Retry-After': '1' });
    if (status === 401) return c.json({ ok: false, message: `signature not verified: ${error}` }, 401);
    return c.json({ ok: true, verified });
  });

  app.get('/dev/webhooks.json', async (c) => c.json({ receipts: await latest(c.env, filterOf(c.req.query())) }));

  app.get('/dev/webhooks', async (c) => {
    const filter = filterOf(c.req.query());
    return c.html(page(await latest(c.env, filter), filter));
  });

  return app;
}

function verify(secrets: string[], body: string, headers: Record<string, string>): { verified: boolean; error: string | null } {
  if (secrets.length === 0) return { verified: false, error: 'no such destination: nothing to verify with' };
  let error = 'no signature';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, headers);
      return { verified: true, error: null };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  return { verified: false, error };
}

/** Which deliveries to show: a busy demo sends many, and the one you look for can fall out of the last 50. */
interface ReceiptFilter {
  destination?: string;
  type?: string;
}

function filterOf(query: Record<string, string>): ReceiptFilter {
  const filter: ReceiptFilter = {};
  if (query.destination !== undefined) {
    if (!RESOURCE_ID.test(query.destination)) throw new ApiError(400, 'invalid_query', '`destination` is a destination id: letters, digits, "-" and "_".');
    filter.destination = query.destination;
  }
  if (query.type !== undefined) {
    if (!/^[a-z_.]{1,64}$/.test(query.type)) throw new ApiError(400, 'invalid_query', '`type` is an event type such as audience.entered.');
    filter.type = query.type;
  }
  return filter;
}

async function latest(env: Env, filter: ReceiptFilter): Promise<Receipt[]> {
  const conditions = [
    ['destination_id = ?', filter.destination],
    ['type = ?', filter.type],
  ].filter((pair): pair is [string, string] => pair[1] !== undefined);
  const where = conditions.map(([sql]) => sql);
  const binds = conditions.map(([, value]) => value);
  const { results } = await env.DB.prepare(
    `SELECT * FROM dev_webhook_receipts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${SHOWN}`,
  )
    .bind(...binds)
    .all<ReceiptRow>();
  return results.map((row) => ({
    id: row.id,
    destinationId: row.destination_id,
    receivedAt: row.received_at,
    webhookId: row.webhook_id,
    type: row.type,
    verified: row.verified === 1,
    verifyError: row.verify_error,
    status: row.status,
    arrival: row.arrival,
    body: row.body,
  }));
}

const CHECK =
  '<svg aria-hidden="true" width="11" height="11" viewBox="0 0 12 12"><path d="M2 6.5l2.5 2.5L10 3.5" fill="none" stroke="currentColor" stroke-width="2"/></svg>';
const CROSS =
  '<svg aria-hidden="true" width="11" height="11" viewBox="0 0 12 12"><path d="M3 3l6 6M9 3l-6 6" fill="none" stroke="currentColor" stroke-width="2"/></svg>';

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function summary(body: string): { who: string; audience: string } {
  try {
    const payload = JSON.parse(body) as {
      data?: {
        profile?: { userId?: string; profileId?: string; traits?: { email?: string } };
        audience?: { name?: string; id?: string };
        campaign?: { id?: string };
      };
    };
    const profile = payload.data?.profile;
    const who = [profile?.traits?.email, profile?.userId ? `user ${profile.userId}` : null, profile?.profileId ? `profile ${profile.profileId}` : null]
      .filter(Boolean)
      .join(' · ');
    const audience = payload.data?.campaign?.id ? `campaign ${payload.data.campaign.id}` : (payload.data?.audience?.name ?? payload.data?.audience?.id ?? '');
    return { who: who || 'unknown person', audience };
  } catch {
    return { who: 'unreadable body', audience: '' };
  }
}

function counts(receipts: Receipt[]): string {
  const verified = receipts.filter((r) => r.verified).length;
  const answered = receipts.filter((r) => r.status === 200).length;
  return `${receipts.length} shown · ${verified} verified · ${answered} answered 200 · ${receipts.length - answered} refused or failed on purpose (retried by the sender)`;
}

function page(receipts: Receipt[], filter: ReceiptFilter): string {
  const only = [filter.destination && `destination <code>${escape(filter.destination)}</code>`, filter.type && `type <code>${escape(filter.type)}</code>`]
    .filter(Boolean)
    .join(', ');
  const cards = receipts
    .map((r) => {
      const { who, audience } = summary(r.body);
      const badge = r.verified
        ? `<span class="ok">${CHECK} signature verified</span>`
        : `<span class="bad">${CROSS} ${escape(r.verifyError ?? 'not verified')}</span>`;
      const test = r.body.includes('"test":true') ? ' <span class="tag">test</span>' : '';
      let pretty = r.body;
      try {
        pretty = JSON.stringify(JSON.parse(r.body), null, 2);
      } catch {}
      return `<li>
  <div class="head"><strong>${escape(r.type ?? '(no type)')}</strong>${audience ? ` <span class="aud">${escape(audience)}</span>` : ''}${test} ${badge}</div>
  <div class="meta"><time datetime="${escape(r.receivedAt)}">${escape(r.receivedAt.replace('T', ' ').slice(0, 19))} UTC</time> · destination <code>${escape(r.destinationId)}</code> · answered <b class="s${Math.floor(r.status / 100)}">${r.status}</b>${r.arrival > 1 ? ` · arrival ${r.arrival}` : ''}</div>
  <div class="meta">${escape(who)}</div>
  <div class="meta">webhook-id <code>${escape(r.webhookId ?? '—')}</code></div>
  <details><summary>payload</summary><pre>${escape(pretty)}</pre></details>
</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>Webhook receiver · Trailmark dev</title>
<style>
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 16px 20px; }
  header h1 { margin: 0; font-size: 1.2rem; }
  header p { margin: 4px 0 0; color: #c8cdd8; font-size: .9rem; }
  header code { background: rgba(255, 255, 255, .14); color: #fff; }
  header a { color: #fff; }
  .counts { margin: 0 0 12px; color: #4a5468; font-size: .9rem; }
  main { max-width: 960px; margin: 0 auto; padding: 16px; }
  ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }
  /* min-width: 0: a grid item is otherwise as wide as its longest payload line, wider than a phone. */
  li { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 12px 14px; overflow-wrap: anywhere; min-width: 0; }
  .head { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: baseline; }
  .aud { color: #4a5468; }
  .ok, .bad, .tag { font-size: .82rem; padding: 2px 8px; border-radius: 999px; display: inline-flex; gap: 4px; align-items: center; }
  .tag { background: #eef1f6; color: #4a5468; }
  .ok { background: #e3f6e8; color: #17692f; }
  .bad { background: #fde8e8; color: #a11d1d; }
  .meta { color: #4a5468; font-size: .86rem; margin-top: 4px; }
  .meta code { white-space: normal; }
  .s2 { color: #17692f; } .s4, .s5 { color: #a11d1d; }
  code { font-size: .82rem; background: #f0f2f5; padding: 1px 4px; border-radius: 4px; white-space: nowrap; }
  details { margin-top: 6px; } summary { cursor: pointer; color: #2a5bd7; font-size: .86rem; }
  pre { background: #f0f2f5; padding: 8px; border-radius: 6px; overflow-x: auto; font-size: .78rem; }
  .empty { color: #4a5468; }
</style></head>
<body><header><h1>Webhook receiver</h1><p>Local development only. The last ${SHOWN} deliveries to <code>/dev/webhooks/in/&lt;destination&gt;</code>${only ? ` (only ${only}; <a href="/dev/webhooks">show all</a>)` : ''}, each verified with the <code>standardwebhooks</code> package. Refreshes every 5 s.</p></header>
<main>${receipts.length ? `<p class="counts">${counts(receipts)}</p><ul>${cards}</ul>` : '<p class="empty">Nothing has arrived yet. Register a destination with the url <code>http://localhost:PORT/dev/webhooks/in/ID</code> and send a test: <code>POST /v1/admin/destinations/ID/test</code>.</p>'}</main>
</body></html>`;
}
