/**
 * Builds what the Worker serves as static files into dist/public (or
 * another folder: a test server's own): the tag and its lazy chunks (sdk/,
 * rollup) and the demo storefront and dashboard pages (demo-site/public).
 */
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './lib/dev-server.mjs';

/** Where `wrangler dev` and `wrangler deploy` take the static files from (wrangler.toml, [assets]). */
const DEFAULT_ASSETS_DIR = path.join(ROOT, 'dist', 'public');

/**
 * @param {{ quiet?: boolean, storefront?: boolean, out?: string }} options  storefront: include the demo
 *   storefront (false for a production deployment: the tag and the dashboard only); out: the folder to
 *   build (dist/public)
 */
export async function build({ quiet = false, storefront = true, out = DEFAULT_ASSETS_DIR } = {}) {
  const sdkConfig = path.join(ROOT, 'sdk', 'rollup.config.mjs');
  if (existsSync(sdkConfig)) {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', sdkConfig], {
      cwd: path.join(ROOT, 'sdk'),
      stdio: quiet ? 'pipe' : 'inherit',
    });
    if (result.status !== 0) throw new Error(`SDK build failed:\n${result.stderr?.toString() ?? ''}`);
  }
  // Built beside the served folder and swapped in at the end, so a server already running from
  // it (another `npm start`) never sees it half empty.
  const next = `${out}.next-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  await mkdir(next, { recursive: true });
  const tagDir = path.join(ROOT, 'sdk', 'dist', 'tag');
  if (existsSync(tagDir)) await cp(tagDir, next, { recursive: true });
  // The storefront and dashboard are generated from the demo catalog (TypeScript, run with tsx).
  const demoBuild = path.join(ROOT, 'demo-site', 'build.ts');
  if (existsSync(demoBuild)) {
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), demoBuild, next, ...(storefront ? [] : ['--no-storefront'])],
      {
        cwd: ROOT,
        stdio: quiet ? 'pipe' : 'inherit',
      },
    );
    if (result.status !== 0) throw new Error(`Demo site build failed:\n${result.stderr?.toString() ?? ''}`);
  }
  // The tag changes with each release: browsers revalidate it cheaply (ETag) after five minutes.
  // Its lazy chunks have versioned names (a hash of the sources), so they never change. They are ES modules, which
  // browsers fetch in CORS mode, and the tag runs on other sites' pages: they need the CORS grant.
  await writeFile(
    path.join(next, '_headers'),
    [
      '/tag.js',
      '  Cache-Control: public, max-age=300, stale-while-revalidate=86400',
      '  Access-Control-Allow-Origin: *',
      '/tag-*.js',
      '  Cache-Control: public, max-age=31536000, immutable',
      '  Access-Control-Allow-Origin: *',
      '',
    ].join('\n'),
  );
  const old = `${out}.old-${process.pid}`;
  if (existsSync(out)) await rename(out, old);
  await rename(next, out);
  await rm(old, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await build({ storefront: !process.argv.includes('--production') });
}
