/** Runs before the browser tests: finds Chromium once and hands its path to the workers. */
import { findChromium } from './lib/find-chromium.mjs';

export default async function setup() {
  const { executablePath, source } = await findChromium();
  process.env.TM_CHROMIUM = executablePath;
  console.log(`Chromium: ${executablePath} (${source})`);
}
