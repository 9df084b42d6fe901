import { test } from '@playwright/test';
import { FixtureServer, tagPage, tagReady } from './support';
test('diag', async ({ browser, baseURL }) => {
  const fixtures = await new FixtureServer().start();
  const url = fixtures.serve('/prof', tagPage({ collector: baseURL!, writeKey: 'demo-write-key' }));
  const context = await browser.newContext();
  await context.route(`${baseURL}/v1/batch`, (route) => route.fulfill({ headers: { 'access-control-allow-origin': fixtures.origin }, body: '{}' }));
  const page = await context.newPage();
  await page.goto(url);
  await tagReady(page);
  await page.waitForTimeout(1500);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const task = async () => (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'TaskDuration')!.value * 1000;
  for (const n of [100, 1000]) {
    const t0 = await task();
    await cdp.send('Profiler.start');
    await page.evaluate((n) => { for (let i = 0; i < n; i++) (window as any).trailmark.track('X', { i, product_id: 'SKU', price: 1 }); }, n);
    await page.waitForTimeout(3000);
    const { profile } = await cdp.send('Profiler.stop');
    const t1 = await task();
    console.log(`n=${n} task=${(t1 - t0).toFixed(1)}ms per call=${((t1 - t0) * 1000 / n).toFixed(1)}us`);
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((x) => [x.id, x]));
    profile.samples!.forEach((id, i) => { const nd = byId.get(id)!; const k = `${nd.callFrame.functionName || '(anon)'} ${nd.callFrame.url.split('/').pop()}:${nd.callFrame.columnNumber}`; self.set(k, (self.get(k) ?? 0) + profile.timeDeltas![i]!); });
    console.log([...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `  ${(v / 1000).toFixed(1)}ms ${k}`).join('\n'));
  }
});
