/**
 * The npm package as a shop's build uses it: bundled by an app's bundler
 * (esbuild here) with its lazy features split into chunks, tree-shaken, and
 * typed by its generated declarations.
 */
import { expect, test } from '@playwright/test';
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { createSite, eventually, FixtureServer } from './support';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let fixtures: FixtureServer;
test.beforeAll(async () => {
  fixtures = await new FixtureServer().start();
});
test.afterAll(() => fixtures.stop());

/** Bundles `source` (which imports 'trailmark') as an app would; returns the output files by name. */
async function bundle(source: string, options: { splitting?: boolean } = {}) {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: options.splitting ?? false,
    outdir: '/app',
    write: false,
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((f) => [path.basename(f.path), f.text]));
}

test('an app bundling the package records events; web vitals come as a split chunk', async ({ page, baseURL }) => {
  const writeKey = await createSite(baseURL!);
  const files = await bundle(
    `import { createTracker } from 'trailmark';
     const trailmark = createTracker({ writeKey: ${JSON.stringify(writeKey)}, apiHost: ${JSON.stringify(baseURL)} });
     trailmark.productViewed({ product_id: 'SKU-1', name: 'Tent', price: 129, currency: 'EUR' });
     window.trailmark = trailmark;`,
    { splitting: true },
  );
  expect(files.size).toBeGreaterThan(2); // the entry and chunks for the lazy features
  const loaded: string[] = [];
  page.on('request', (r) => r.url().startsWith(fixtures.origin) && loaded.push(path.basename(new URL(r.url()).pathname)));
  for (const [name, code] of files) fixtures.serve(`/app/${name}`, code);
  const entry = [...files.keys()].find((name) => name.startsWith('stdin'))!;
  await page.goto(fixtures.serve('/npm-app', `<!doctype html><title>App</title><h1>App</h1><script type="module" src="/app/${entry}"></script>`));
  await page.waitForFunction(() => (window as any).trailmark?.anonymousId());
  await page.waitForLoadState('load');
  await page.waitForFunction(() => performance.getEntriesByType('resource').filter((r) => r.name.includes('/app/')).length > 1);
  await page.evaluate(() => (window as any).trailmark.flush());
  const events = await eventually(baseURL!, writeKey, (e) => e.filter((x) => x.event === 'Web Vitals').length >= 1 && e.length >= 3);
  expect(
    events
      .filter((e) => e.event !== 'Web Vitals')
      .map((e) => e.event ?? e.type)
      .sort(),
  ).toEqual(['Product Viewed', 'page']);
  // The vitals were reported by a chunk of their own, loaded after the page.
  expect(events.some((e) => e.event === 'Web Vitals')).toBe(true);
  expect(loaded.length).toBeGreaterThan(1);
});

test('tree-shaking: importing only the event names brings no tracker code', async () => {
  const files = await bundle(`import { EVENTS } from 'trailmark'; console.log(EVENTS.orderCompleted);`);
  const code = [...files.values()].join('');
  expect(code.length).toBeLessThan(1000);
  expect(code).not.toContain('indexedDB');
  expect(code).not.toContain('sendBeacon');
});

test('the generated declarations type an app, and catch misuse', () => {
  const check = (source: string) => {
    const file = path.join(ROOT, 'sdk', 'test', 'browser', '__typecheck__.ts');
    const host = ts.createCompilerHost({});
    const read = host.readFile.bind(host);
    host.readFile = (name) => (name === file ? source : read(name));
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || exists(name);
    const program = ts.createProgram(
      [file],
      {
        strict: true,
        noEmit: true,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        skipLibCheck: false,
        skipDefaultLibCheck: true,
        types: [],
      },
      host,
    );
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };
  expect(
    check(`import { createTracker, EVENTS, type Tracker, type Product, type RecommendationResponse } from 'trailmark';
      const t: Tracker = createTracker({ writeKey: 'k', requireConsent: 'hold', debug: true });
      t.page('Docs', 'Intro', { section: 'top' }, { context: { ip: '0.0.0.0' } }, () => {});
      t.identify({ plan: 'pro' });
      t.identify('u-1', { plan: 'pro' }, { userHash: 'ab12' });
      t.group('g-1', { name: 'Acme' });
      t.alias('u-2', 'u-1');
      t.on('track', (event, properties) => console.log(event, properties));
      const id: string | null = t.user().id();
      type ShopEvents = { 'Store Located': { city: string } };
      const shop = createTracker<ShopEvents>({ writeKey: 'k' });
      shop.track('Store Located', { city: 'Graz' }, { timestamp: new Date() });
      const p: Product = { product_id: 'SKU-1', price: 1 };
      t.productAdded(p);
      t.orderCompleted({ order_id: 'o1', total: 10, products: [p] });
      t.consent('granted');
      const r: Promise<RecommendationResponse> = t.recommend('home', { limit: 4 });
      const done: Promise<void> = t.flush();
      const name: 'Order Completed' = EVENTS.orderCompleted;
      export { r, done, name, id };`),
  ).toEqual([]);
  const misuse = check(`import { createTracker } from 'trailmark';
      const t = createTracker({ writeKey: 'k' });
      t.productAdded({ name: 'no id' });
      t.consent('maybe');
      t.recommend('nowhere');
      const shop = createTracker<{ 'Store Located': { city: string } }>({ writeKey: 'k' });
      shop.track('Store Located', { town: 'Graz' });
      shop.track('Store Misspelt', { city: 'Graz' });`);
  expect(misuse).toHaveLength(5);
});
