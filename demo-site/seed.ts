/**
 * `npm start` runs this once the collector answers:
 *
 *   tsx demo-site/seed.ts --url http://localhost:8787 --admin-token TOKEN [--visitors N]
 *
 * On an empty state it loads the demo catalog (the one the storefront is
 * built from) and sends simulated shoppers through the public ingest API, so
 * recommendation slots and the dashboard mean something at once. A state that
 * already holds events is left alone: restarting never doubles the history.
 *
 * It also saves the example audiences (seeding/demo-audiences.ts) before any
 * shopper arrives, so their memberships change live, and registers the demo
 * webhook destination, subscribed to some of them, which delivers to the
 * receiver page /dev/webhooks (seeding/webhook-destination.ts).
 *
 * When it is done (seeded or not), it writes `demo-seed.json` into the state
 * directory (STATE_DIR, as `npm start` resolves it): the end-to-end tests wait
 * for that file, so they never count while the seed is still arriving.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sendSearchers } from './seeding/searchers';
import { sendSlotVisitors } from './seeding/slot-visitors';
import { campaignVerdicts, seedCampaigns } from './seeding/campaign-visitors';
import { DELIVERED_AUDIENCES, registerDemoAudiences } from './seeding/demo-audiences';
import { DEMO_DESTINATION_ID, registerDemoWebhook } from './seeding/webhook-destination';
import { waitUntilStored } from './simulate/admin-client';
import { DEMO_CATALOG_SEED, DEMO_CATALOG_SIZE, generateCatalog } from './simulate/catalog';
import { DEMO_WRITE_KEY, seedDemoData } from './simulate/seed';
import { SendError } from './simulate/send';
import { plantTastes } from './simulate/tastes';

/** A few thousand events: every chart and table has data, and seeding takes seconds, not minutes. */
const SEED_VISITORS = 100;
/**
 * Visitors shown a slot, over the last two weeks: the holdout (10%) gets
 * some sixty of them, a dozen or more per slot, enough for an interval on
 * each slot's lift, which the dashboard shows with how many more shoppers a
 * finding would take.
 */
const SLOT_VISITORS = 600;
/** Visitors who come to search, over four weeks: popular terms, misspellings, things the shop does not sell. */
const SEARCHERS = 150;
/** Shoppers per demo campaign (four campaigns): reports with real intervals, and a seed that stays quick. */
const CAMPAIGN_MEMBERS = 100;
/** Where the end-to-end tests look for the marker; the same default as scripts/start.mjs. */
const ROOT = path.resolve(import.meta.dirname, '..');
export const SEED_MARKER = 'demo-seed.json';

export interface SeedMarker {
  status: 'seeded' | 'skipped' | 'failed';
  events: number;
  finishedAt: string;
  error?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://localhost:8787' },
      'admin-token': { type: 'string', default: process.env.ADMIN_TOKEN },
      visitors: { type: 'string', default: String(SEED_VISITORS) },
    },
    strict: true,
  });
  const url = values.url.replace(/\/+$/, '');
  const adminToken = values['admin-token'];
  if (!adminToken) throw new SendError('Give the admin token: --admin-token TOKEN (or ADMIN_TOKEN).');
  const visitors = Number(values.visitors);
  if (!Number.isInteger(visitors) || visitors < 1) throw new SendError(`--visitors must be a whole number ≥ 1, got "${values.visitors}".`);

  // The example audiences, then the demo webhook destination subscribed to some of them, on every start (saving again changes nothing).
  const audiences = await registerDemoAudiences({ url, adminToken, writeKey: DEMO_WRITE_KEY });
  if (audiences.created.length > 0) console.log(`Demo audiences saved: ${audiences.created.join(', ')} (GET /v1/admin/audiences)`);
  const webhook = await registerDemoWebhook({ url, adminToken, writeKey: DEMO_WRITE_KEY, audiences: DELIVERED_AUDIENCES });
  if (webhook.created) console.log(`Demo webhook destination registered; a test delivery is on its way to ${webhook.receiverPage}`);

  if (await hasEvents(url, adminToken)) {
    console.log('Demo data: the state already holds events, so nothing was seeded.');
    await writeMarker({ status: 'skipped', events: 0, finishedAt: new Date().toISOString() });
    return;
  }

  const started = Date.now();
  const result = await seedDemoData({ url, adminToken, visitors, writeKey: DEMO_WRITE_KEY });
  // Then visitors who meet the slots, served by what the collector has just learned, and visitors who search.
  const catalog = generateCatalog({ size: DEMO_CATALOG_SIZE, seed: DEMO_CATALOG_SEED });
  const tastes = plantTastes(catalog);
  const slots = await sendSlotVisitors({ url, writeKey: DEMO_WRITE_KEY, tastes, visitors: SLOT_VISITORS });
  const searches = await sendSearchers({ url, writeKey: DEMO_WRITE_KEY, products: catalog, visitors: SEARCHERS });
  // And the four demo campaigns, their members assigned by the collector and answered by its offer slot.
  const campaigns = await seedCampaigns({ url, adminToken, writeKey: DEMO_WRITE_KEY, tastes, members: CAMPAIGN_MEMBERS, destinations: [DEMO_DESTINATION_ID] });
  await waitUntilStored({ url, adminToken });
  // Saving an audience that reads RFM scores refreshes the site's boundaries (otherwise hourly, by the
  // cron trigger, which `wrangler dev` does not run): now that there are customers, score them.
  await registerDemoAudiences({ url, adminToken, writeKey: DEMO_WRITE_KEY });

  const { send } = result;
  const loaded = result.catalog.status === 'loaded' ? result.catalog.loaded : DEMO_CATALOG_SIZE;
  const events = send.events + slots.events + searches.events + campaigns.events;
  console.log(
    `Demo data seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: a catalog of ${loaded} products, ` +
      `${send.shoppers} simulated shoppers over ${send.visits} visits, ${slots.shoppers} visitors shown recommendation slots and ${searches.shoppers} searching, ` +
      `from ${Object.keys(send.regions).length} regions, and ${campaigns.campaigns.length} campaigns (${campaigns.campaigns.join(', ')}) with ${CAMPAIGN_MEMBERS} shoppers each ` +
      `(${events.toLocaleString('en-US')} events, all stored).`,
  );
  const rejected = send.rejected + slots.rejected + searches.rejected;
  if (rejected > 0)
    console.log(`The collector rejected ${rejected} of them: ${[...send.rejectedReasons, ...slots.rejectedReasons, ...searches.rejectedReasons].join('; ')}`);
  for (const line of await campaignVerdicts(url, adminToken, campaigns.campaigns)) console.log(line);
  await writeMarker({ status: 'seeded', events, finishedAt: new Date().toISOString() });
}

/** Whether the demo site has stored anything yet: one line of the export is enough to know. */
async function hasEvents(url: string, adminToken: string): Promise<boolean> {
  const response = await fetch(`${url}/v1/admin/export?writeKey=${DEMO_WRITE_KEY}&limit=1`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (response.status === 401 || response.status === 403) throw new SendError('The collector refused the admin token.');
  if (!response.ok) throw new SendError(`GET /v1/admin/export answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return (await response.text()).trim() !== '';
}

async function writeMarker(marker: SeedMarker): Promise<void> {
  const stateDir = path.resolve(ROOT, process.env.STATE_DIR ?? '.wrangler/state');
  await writeFile(path.join(stateDir, SEED_MARKER), `${JSON.stringify(marker)}\n`);
}

main().catch(async (err: unknown) => {
  const message = err instanceof SendError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`Seeding the demo data failed: ${message}`);
  // Whoever waits for the seed learns that it will not come, instead of waiting for nothing.
  await writeMarker({ status: 'failed', events: 0, finishedAt: new Date().toISOString(), error: message }).catch(() => {});
  process.exit(1);
});
