/**
 * `tsx demo-site/build.ts <outDir> [--no-storefront]` (run by
 * scripts/build.mjs, so by `npm start`): writes the demo storefront and the
 * product-team dashboard as static files into the Worker's assets folder,
 * next to the tag. A production deployment leaves the demo storefront out.
 */
import path from 'node:path';
import { buildDashboard } from './dashboard/site';
import { buildStorefront } from './storefront/site';

const outDir = process.argv[2];
if (!outDir) {
  console.error('Usage: tsx demo-site/build.ts <outDir>');
  process.exit(1);
}
const target = path.resolve(outDir);
const started = Date.now();
if (process.argv.includes('--no-storefront')) {
  await buildDashboard(target);
  console.log(`Dashboard written to ${target} in ${Date.now() - started} ms (no demo storefront).`);
} else {
  const shop = await buildStorefront(target);
  await buildDashboard(target);
  console.log(`Demo site: ${shop.pages} storefront pages, ${shop.images} product images and the dashboard written to ${target} in ${Date.now() - started} ms.`);
}
