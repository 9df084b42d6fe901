/**
 * The script-tag build, served by the collector at /tag.js:
 *
 *   <script async src="https://COLLECTOR/tag.js" data-write-key="KEY"></script>
 *
 * is a complete install. Options are `data-*` attributes of the script
 * element (README, "Script tag"); the collector URL, path prefix included,
 * defaults to where the tag was loaded from. Lazy chunks are ES modules next
 * to the tag, loaded with `import()` relative to its own URL.
 *
 * Calls made before the tag loaded, through the snippet's stub
 * (`trailmark('track', …)` or `trailmark.track(…)`, both queued in
 * `trailmark.q`), are replayed in order. A page written for analytics.js
 * keeps calling `analytics.track(…)`: the drop-in snippet points
 * `window.analytics` at the same stub, and the tag replaces both.
 */
import { chunkVersion } from 'trailmark:chunks';
import type { Tracker } from './types';
import { scriptOptions } from './scriptOptions';
import { publicTracker } from './surface';
import { startTracker, type ChunkLoader } from './tracker';
import { warn } from './lib/warn';

type Stub = ((...args: unknown[]) => void) & { q?: Iterable<unknown>[] };
type Global = Tracker & ((method: keyof Tracker, ...args: unknown[]) => unknown);

function install(): void {
  const w = window as unknown as { trailmark?: Stub | Global; analytics?: unknown };
  const existing = w.trailmark;
  // Loaded twice: the first one stays. (The snippet's stub has no user(): it could not answer it.)
  if ((existing as Global)?.user) return;
  const script = (document.currentScript || document.querySelector('script[data-write-key]')) as HTMLScriptElement | null;
  // (A tag not loaded from a <script src> element throws here: said on the console.)
  const src = script!.src;
  const options = scriptOptions(script!.dataset, src);
  if (!options.writeKey) return warn('the script tag needs data-write-key');

  const load: ChunkLoader = (name) => import(/* webpackIgnore: true */ new URL(`tag-${name}-${chunkVersion}.js`, src).href);
  const core = startTracker(options, load);
  // Callable like the stub, trailmark('track', …), and with methods, trailmark.track(…).
  const global: Global = publicTracker(
    core,
    () => load('api'),
    (method: keyof Tracker, ...args: unknown[]) => (global[method] as (...a: unknown[]) => unknown)(...args),
  );
  const queued = (existing as Stub | undefined)?.q || [];
  w.trailmark = global;
  if (existing && w.analytics == existing) w.analytics = global;
  core.start(global);
  for (const args of queued) global(...(args as [keyof Tracker, ...unknown[]]));
}

try {
  install();
} catch (error) {
  warn(error);
}
