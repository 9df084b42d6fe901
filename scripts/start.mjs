/**
 * `npm start`: builds, applies the local D1 migrations and runs the whole
 * product with `wrangler dev` on local state: the collector, the tag
 * (/tag.js), the demo storefront (/) and the dashboard (/dashboard). On an
 * empty state it seeds the demo catalog and simulated shoppers.
 *
 * Environment: PORT (8787), ADMIN_TOKEN (generated once, kept in the state
 * dir), STATE_DIR (.wrangler/state), ASSETS_DIR (dist/public: where the static
 * files are built and served from; `wrangler dev` reloads the Worker when
 * they change there, so a rebuild shows at once. The browser tests give
 * their server a folder of its own, which no other build rewrites under it.)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from './build.mjs';
import { ROOT, startDevServer } from './lib/dev-server.mjs';

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${process.env.PORT}".`);
  process.exit(1);
}
const stateDir = path.resolve(ROOT, process.env.STATE_DIR ?? '.wrangler/state');
await mkdir(stateDir, { recursive: true });
const assetsDir = process.env.ASSETS_DIR ? path.resolve(ROOT, process.env.ASSETS_DIR) : undefined;

async function adminToken() {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const file = path.join(stateDir, 'admin-token');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const token = randomBytes(18).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

const token = await adminToken();
console.log('Building the tag and the demo pages…');
await build({ quiet: true, out: assetsDir });
console.log(`Starting the collector on http://localhost:${port} (state in ${path.relative(ROOT, stateDir) || '.'})…`);
let server;
try {
  server = await startDevServer({ port, stateDir, adminToken: token, assets: assetsDir, quiet: process.env.TRAILMARK_VERBOSE !== '1' });
} catch (err) {
  console.error(err.message);
  console.error(`Is port ${port} in use? Choose another with PORT=8788 npm start.`);
  process.exit(1);
}

// On an empty state, the demo catalog and simulated shoppers, so slots and the dashboard mean something at once.
const seed = path.join(ROOT, 'demo-site', 'seed.ts');
if (existsSync(seed)) {
  // `--admin-token=…` in one argument: a generated token starts with '-' one time in 64, which parseArgs would take for an option.
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), seed, '--url', server.url, `--admin-token=${token}`], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) console.error('Seeding the demo data failed; the collector is running without it.');
}

console.log(`
Trailmark is running.
  Storefront   ${server.url}/
  Dashboard    ${server.url}/dashboard
  Tag          ${server.url}/tag.js
  Collector    ${server.url}/v1/batch   (write key: demo-write-key)
  Webhooks     ${server.url}/dev/webhooks   (what the demo destination received)
  Health       ${server.url}/healthz
  Admin token  ${token}
Press Ctrl+C to stop.`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.process.on('exit', (code) => {
  console.error(`wrangler dev stopped (exit ${code}).`);
  process.exit(code ?? 1);
});
