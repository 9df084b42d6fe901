import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

const saved = { CHROMIUM_PATH: process.env.CHROMIUM_PATH, TM_BUNDLED_CHROMIUM: process.env.TM_BUNDLED_CHROMIUM };

/** A fresh copy of the module: it remembers the browser it found. */
async function freshFindChromium() {
  vi.resetModules();
  return (await import('./find-chromium.mjs')).findChromium;
}

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('findChromium', () => {
  it('takes CHROMIUM_PATH first, and says when it points at nothing', async () => {
    delete process.env.TM_BUNDLED_CHROMIUM;
    process.env.CHROMIUM_PATH = '/nonexistent/chrome';
    await expect((await freshFindChromium())()).rejects.toThrow(/CHROMIUM_PATH points at \/nonexistent\/chrome/);
  });

  it('with TM_BUNDLED_CHROMIUM=1 (CI) uses the Chromium of the npm dev dependency, whatever else the machine has', async () => {
    process.env.TM_BUNDLED_CHROMIUM = '1';
    process.env.CHROMIUM_PATH = '/nonexistent/chrome';
    const { executablePath, source } = await (await freshFindChromium())();
    expect(source).toBe('@sparticuz/chromium');
    expect(existsSync(executablePath)).toBe(true);
  }, 120_000);
});
