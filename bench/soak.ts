/**
 * `npm run soak`: sustained ingest at a fixed rate through the tag's own
 * delivery code (a page in Chromium calling `trailmark.track`), with faults
 * injected along the way, then a count of what was stored against what was
 * sent: zero lost and zero duplicated is the only passing result.
 *
 *   npm run soak                           # 5 minutes at 40 events/s
 *   npm run soak -- --minutes 2 --rate 25
 *
 * Faults, in order: the browser offline; the collector answering 503, then
 * 429 with Retry-After; storage writes failing (the shards' drains fail and
 * retry); drains failing after the profiles were updated and before the
 * event log stored them (the retry must store exactly what the first attempt
 * would have); the collector process restarted on the same state.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { build } from '../scripts/build.mjs';
import { CHROMIUM_ARGS, findChromium } from '../scripts/lib/find-chromium.mjs';
import { freePort, startDevServer } from '../scripts/lib/dev-server.mjs';
import { exportEvents, pendingMessages, putSite } from '../demo-site/simulate/admin-client';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const minutes = arg('minutes', 5);
const rate = arg('rate', 40);
const durationMs = minutes * 60_000;
const ADMIN_TOKEN = 'soak-admin-token';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await build({ quiet: true });
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-soak-'));
const port = await freePort();
let server = await startDevServer({ port, stateDir, adminToken: ADMIN_TOKEN });
const collector = `http://localhost:${port}`;

// The shop: a page of another origin that installs the tag the way a site owner would.
const page = createServer((_req, res) => {
  res
    .writeHead(200, { 'content-type': 'text/html' })
    .end(`<!doctype html><title>soak</title><script async src="${collector}/tag.js" data-write-key="soak-write-key"></script>`);
});
await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
const shopOrigin = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
const adminOptions = { url: collector, adminToken: ADMIN_TOKEN };
await putSite({ ...adminOptions, writeKey: 'soak-write-key', name: 'soak', allowedOrigins: [shopOrigin] });

const browser = await chromium.launch({ executablePath: (await findChromium()).executablePath, args: CHROMIUM_ARGS });
const context = await browser.newContext({
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36',
});
const tab = await context.newPage();
await tab.goto(shopOrigin);
await tab.waitForFunction(() => typeof (window as any).trailmark?.track === 'function' && !Array.isArray((window as any).trailmark));

log(`Sending ${rate} events/s for ${minutes} min from ${shopOrigin} to ${collector}`);
await tab.evaluate((perSecond) => {
  const w = window as any;
  w.__soakSent = 0;
  w.__soakTimer = setInterval(() => {
    w.__soakSent++;
    w.trailmark.track('Soak Event', { seq: w.__soakSent });
  }, 1000 / perSecond);
}, rate);

const allFaults: { at: number; name: string; run: () => Promise<void> }[] = [
  {
    at: 0.15,
    name: 'browser offline for 20 s',
    run: async () => {
      await context.setOffline(true);
      await sleep(20_000);
      await context.setOffline(false);
    },
  },
  {
    at: 0.3,
    name: 'collector answers 503 for 15 s',
    run: () => failRequests(503, {}, 15_000),
  },
  {
    at: 0.45,
    name: 'collector answers 429 (Retry-After: 2) for 10 s',
    run: () => failRequests(429, { 'retry-after': '2' }, 10_000),
  },
  {
    at: 0.6,
    name: 'storage writes failing for 20 s',
    run: async () => {
      await injectFaults({ failDrains: 1_000_000 });
      await sleep(20_000);
      await injectFaults({ failDrains: 0 });
    },
  },
  {
    at: 0.7,
    name: 'storage failing after the profiles for 20 s',
    run: async () => {
      await injectFaults({ failAfterProfiles: 1_000_000 });
      await sleep(20_000);
      await injectFaults({ failAfterProfiles: 0 });
    },
  },
  {
    at: 0.85,
    name: 'collector restarted',
    run: async () => {
      await server.stop();
      await sleep(3000);
      server = await startDevServer({ port, stateDir, adminToken: ADMIN_TOKEN });
    },
  },
];

// --faults offline,503 picks some (by the first word of their name); --faults none runs without.
const faultArg = process.argv.includes('--faults') ? process.argv[process.argv.indexOf('--faults') + 1]! : 'all';
const faults = faultArg === 'all' ? allFaults : allFaults.filter((f) => faultArg.split(',').some((key) => f.name.includes(key)));

async function failRequests(status: number, headers: Record<string, string>, ms: number) {
  const handler = (route: import('playwright-core').Route) =>
    route.fulfill({ status, headers: { 'access-control-allow-origin': shopOrigin, 'access-control-expose-headers': 'Retry-After', ...headers }, body: '{}' });
  await tab.route(`${collector}/v1/**`, handler);
  await sleep(ms);
  await tab.unroute(`${collector}/v1/**`, handler);
}

/** The dev-only fault injection of the shards (POST /v1/admin/faults). */
async function injectFaults(faults: { failDrains?: number; failAfterProfiles?: number }) {
  const res = await fetch(`${collector}/v1/admin/faults?writeKey=soak-write-key`, { method: 'POST', headers: admin, body: JSON.stringify(faults) });
  if (!res.ok) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

const started = Date.now();
for (const fault of faults) {
  const wait = started + fault.at * durationMs - Date.now();
  if (wait > 0) await sleep(wait);
  log(`fault: ${fault.name}`);
  await fault.run();
  log(`fault over: ${fault.name}`);
}
await sleep(Math.max(0, started + durationMs - Date.now()));

const sent = await tab.evaluate(async () => {
  const w = window as any;
  clearInterval(w.__soakTimer);
  await w.trailmark.flush();
  return w.__soakSent as number;
});
log(`Sent ${sent} events; waiting until the tag has delivered them and the collector has stored them…`);

/** Soak Event seq → how many times it is stored. */
async function storedCounts(): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const event of await exportEvents({ ...adminOptions, writeKey: 'soak-write-key', pageSize: 10_000 })) {
    if (event.event === 'Soak Event') counts.set(event.properties.seq, (counts.get(event.properties.seq) ?? 0) + 1);
  }
  return counts;
}

// The tag keeps retrying with backoff (up to a minute between tries after the outages): give it time.
const deliveryDeadline = Date.now() + 5 * 60_000;
let counts = new Map<number, number>();
for (;;) {
  const pending = await pendingMessages(adminOptions);
  if (pending === 0) {
    counts = await storedCounts();
    if (counts.size >= sent || Date.now() > deliveryDeadline) break;
  } else if (Date.now() > deliveryDeadline) {
    throw new Error(`${pending} messages still pending in the collector after 5 minutes`);
  }
  await sleep(2000);
}
const deliveredAfterMs = Date.now() - (started + durationMs);

let lost = 0;
let duplicated = 0;
const lostRanges: string[] = [];
for (let seq = 1; seq <= sent; seq++) {
  const n = counts.get(seq) ?? 0;
  if (n === 0) {
    lost++;
    const previousLost = seq > 1 && !counts.has(seq - 1);
    if (!previousLost) lostRanges.push(`${seq}`);
    else if (counts.has(seq + 1) || seq === sent) lostRanges[lostRanges.length - 1] += `–${seq}`;
  }
  if (n > 1) duplicated += n - 1;
}
const extra = [...counts.keys()].filter((seq) => seq < 1 || seq > sent).length;
const result = {
  minutes,
  rate,
  sent,
  stored: [...counts.values()].reduce((a, b) => a + b, 0),
  lost,
  duplicated,
  unexpected: extra,
  deliveredSecondsAfterTheLastEvent: Math.round(deliveredAfterMs / 1000),
  ...(lostRanges.length ? { lostSeq: lostRanges.slice(0, 20) } : {}),
  faults: faults.map((f) => f.name),
};
console.log(JSON.stringify(result, null, 2));

await browser.close();
page.close();
await server.stop();
await rm(stateDir, { recursive: true, force: true });
if (lost || duplicated || extra) {
  console.error(`SOAK FAILED: ${lost} lost, ${duplicated} duplicated, ${extra} unexpected`);
  process.exit(1);
}
console.error('Soak passed: nothing lost, nothing duplicated.');
