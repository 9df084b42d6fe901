/**
 * Finds a Chromium for the browser tests and benchmarks, so a fresh machine
 * with nothing but Node passes after `npm install`:
 *   1. CHROMIUM_PATH, if set;
 *   2. a system Chromium or Chrome;
 *   3. the Chromium shipped inside the @sparticuz/chromium dev dependency
 *      (unpacked to the temp dir on first use, with its own libraries and fonts).
 * With TM_BUNDLED_CHROMIUM=1 only the third is tried, whatever the machine
 * has: CI sets it, so that it proves what a newcomer without a browser gets.
 */
import { existsSync } from 'node:fs';

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** Flags for a headless browser on a machine with a closed network and no GPU. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let found;

/** @returns {Promise<{ executablePath: string, source: string }>} */
export async function findChromium() {
  if (found) return found;
  if (process.env.TM_BUNDLED_CHROMIUM !== '1') {
    const fromEnv = process.env.CHROMIUM_PATH;
    if (fromEnv) {
      if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH points at ${fromEnv}, which does not exist.`);
      return (found = { executablePath: fromEnv, source: 'CHROMIUM_PATH' });
    }
    const system = SYSTEM_BROWSERS.find((path) => existsSync(path));
    if (system) return (found = { executablePath: system, source: 'system' });
  }
  // Makes @sparticuz/chromium unpack and use its bundled NSS/NSPR/expat libraries and fonts.
  process.env.AWS_EXECUTION_ENV ??= 'AWS_Lambda_nodejs20.x';
  try {
    const { default: chromium } = await import('@sparticuz/chromium');
    // Importing it also points FONTCONFIG_PATH at its fonts; without them text renders blank.
    const executablePath = await chromium.executablePath();
    return (found = { executablePath, source: '@sparticuz/chromium' });
  } catch (err) {
    throw new Error(
      `No Chromium found. Set CHROMIUM_PATH, install chromium (apt-get install chromium), or run npm install to get @sparticuz/chromium. (${err.message})`,
    );
  }
}
