/**
 * `npm run simulate -- [--visitors N] [--url URL] [--write-key KEY] [--seed S]
 *                      [--catalog-size N] [--admin-token T] [--events N] [--concurrency N]
 *                      [--campaign-members N]`
 *
 * Synthetic shoppers from several regions, with planted regional tastes,
 * co-purchase pairs and repurchase cycles, sent through the collector's public
 * HTTP API with a progress bar. With an admin token (--admin-token or the
 * ADMIN_TOKEN environment variable) it first loads the catalog and at the end
 * waits until everything is stored, then runs the four demo campaigns (their
 * audiences, the campaigns, members who come back and meet the offer slot) and
 * prints what each campaign's report says.
 */
import { parseArgs } from 'node:util';
import { campaignVerdicts, seedCampaigns } from '../seeding/campaign-visitors';
import { DEMO_CATALOG_SEED, DEMO_CATALOG_SIZE, generateCatalog } from './catalog';
import { progressBar } from './progress';
import { DEMO_WRITE_KEY, seedDemoData } from './seed';
import { SendError, type SendProgress } from './send';
import { plantTastes } from './tastes';

const USAGE = `Usage: npm run simulate -- [options]

  --visitors N       shoppers to simulate (default 200); each makes one or more visits
  --events N         instead of --visitors: stop after about N events
  --url URL          the collector (default http://localhost:8787)
  --write-key KEY    the site's write key (default ${DEMO_WRITE_KEY})
  --admin-token T    admin token (default: $ADMIN_TOKEN); loads the catalog first and
                     waits until everything is stored
  --seed S           seeds the shoppers (default: a new one each run, printed)
  --catalog-size N   products in the catalog (default ${DEMO_CATALOG_SIZE}, as the demo storefront)
  --catalog-seed S   seeds the catalog (default ${DEMO_CATALOG_SEED}, as the demo storefront)
  --concurrency N    shoppers sending at once (default 8)
  --campaign-members N
                     with an admin token: shoppers per demo campaign (default 100; 0 runs no
                     campaigns); the four campaigns need the demo catalog (the default one)
  --help             this text`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number ≥ ${min}, got "${value}".\n\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        visitors: { type: 'string' },
        events: { type: 'string' },
        url: { type: 'string', default: 'http://localhost:8787' },
        'write-key': { type: 'string', default: DEMO_WRITE_KEY },
        'admin-token': { type: 'string' },
        seed: { type: 'string' },
        'catalog-size': { type: 'string' },
        'catalog-seed': { type: 'string' },
        concurrency: { type: 'string' },
        'campaign-members': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  const args = parsed.values;
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const maxEvents = integer('events', args.events, 1);
  const visitors = integer('visitors', args.visitors, 1) ?? (maxEvents === undefined ? 200 : undefined);
  const seed = integer('seed', args.seed, 0) ?? Math.floor(Math.random() * 1_000_000);
  const catalogSize = integer('catalog-size', args['catalog-size'], 1) ?? DEMO_CATALOG_SIZE;
  if (catalogSize > 99_999) fail('--catalog-size is at most 99999.');
  const catalogSeed = integer('catalog-seed', args['catalog-seed'], 0) ?? DEMO_CATALOG_SEED;
  const concurrency = integer('concurrency', args.concurrency, 1);
  const adminToken = args['admin-token'] ?? process.env.ADMIN_TOKEN;
  const campaignMembers = integer('campaign-members', args['campaign-members'], 0) ?? 100;
  const demoCatalog = catalogSize === DEMO_CATALOG_SIZE && catalogSeed === DEMO_CATALOG_SEED;
  if (adminToken && campaignMembers > 0 && !demoCatalog)
    fail('The demo campaigns pick products of the demo catalog: leave --catalog-size and --catalog-seed at their defaults, or give --campaign-members 0.');
  const url = args.url;

  const what = visitors !== undefined ? `${visitors} shoppers` : `about ${maxEvents} events`;
  process.stderr.write(`Simulating ${what} (seed ${seed}, catalog of ${catalogSize}) → ${url}\n`);
  if (!adminToken) process.stderr.write('No admin token (--admin-token or ADMIN_TOKEN): the catalog is not uploaded and storage is not awaited.\n');

  const bar = visitors !== undefined ? progressBar(visitors, 'shoppers') : progressBar(maxEvents ?? 0, 'events');
  const detail = (p: SendProgress) =>
    `${p.visits.toLocaleString('en-US')} visits · ${p.events.toLocaleString('en-US')} events · ${Math.round(p.events / Math.max(p.elapsedMs / 1000, 0.001)).toLocaleString('en-US')} ev/s`;

  const result = await seedDemoData({
    url,
    writeKey: args['write-key'],
    ...(adminToken ? { adminToken } : {}),
    ...(visitors !== undefined ? { visitors } : {}),
    ...(maxEvents !== undefined ? { maxEvents } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    seed,
    catalogSize,
    catalogSeed,
    onProgress: (p) => bar.update(visitors !== undefined ? p.shoppers : p.events, detail(p)),
    onSent: (summary) => bar.finish(detail(summary), visitors !== undefined ? summary.shoppers : summary.events),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const { send } = result;

  // The four demo campaigns, their members assigned by the collector and answered by its offer slot.
  let campaigns: string[] = [];
  if (adminToken && campaignMembers > 0) {
    process.stderr.write(`Running the demo campaigns with ${campaignMembers} shoppers each…\n`);
    const tastes = plantTastes(generateCatalog({ size: catalogSize, seed: catalogSeed }));
    campaigns = (await seedCampaigns({ url, adminToken, writeKey: args['write-key'], tastes, members: campaignMembers, seed })).campaigns;
  }

  const lines = [
    '',
    `Sent ${send.shoppers.toLocaleString('en-US')} shoppers, ${send.visits.toLocaleString('en-US')} visits, ${send.events.toLocaleString('en-US')} events in ${(send.elapsedMs / 1000).toFixed(1)} s (${Math.round(send.eventsPerSecond).toLocaleString('en-US')} events/s, ${send.requests.toLocaleString('en-US')} requests${send.retries ? `, ${send.retries} retried` : ''}).`,
  ];
  if (send.rejected > 0) lines.push(`The collector rejected ${send.rejected} messages, e.g.: ${send.rejectedReasons.join('; ')}`);
  if (result.storedAfterMs !== undefined) lines.push(`All stored ${(result.storedAfterMs / 1000).toFixed(1)} s after the last request.`);
  if (result.catalog.status === 'loaded') lines.push(`Catalog: ${result.catalog.loaded} products loaded.`);
  lines.push('Visits by region:');
  for (const [region, count] of Object.entries(send.regions).sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${region.padEnd(28)} ${String(count).padStart(7)}`);
  }
  const { truth } = result;
  lines.push(
    `Planted: ${truth.regions.length} regions × ${truth.regions[0]?.productIds.length ?? 0} favourite products, ${truth.pairs.length} co-purchase pairs, ${truth.cycles.length} repurchase cycles, ${truth.shoppers.filter((s) => s.userId).length} logged-in shoppers.`,
  );
  if (campaigns.length > 0) {
    lines.push(`Campaigns (${campaignMembers} shoppers each; GET /v1/admin/campaigns/:id/report):`);
    lines.push(...(await campaignVerdicts(url, adminToken!, campaigns)));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write('\n');
  if (err instanceof SendError) fail(err.message);
  fail(`Simulation failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
});
