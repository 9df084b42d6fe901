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
 * `trailmark.q`), are replayed in order.
 */
import { chunkFiles } from 'trailmark:chunks';
import type { Tracker } from './types';
import { scriptOptions } from './scriptOptions';
import { startTracker, type ChunkLoader } from './tracker';
import { warn } from './lib/warn';

type Stub = ((...args: unknown[]) => void) & { q?: ArrayLike<unknown>[] };
type Global = Tracker & ((method: keyof Tracker, ...args: unknown[]) => unknown);

/** Marks the real global, telling it from the snippet's stub. */
const LOADED = Symbol.for('trailmark');

function install(): void {
  const w = window as unknown as { trailmark?: Stub | Global };
  const existing = w.trailmark;
  if (existing && LOADED in existing) return; // loaded twice: the first one stays
  const script = (document.currentScript || document.querySelector('script[data-write-key]')) as HTMLScriptElement | null;
  if (!script?.src) return warn('the tag must be loaded from a <script src> element');
  const src = script.src;
  const options = scriptOptions(script.dataset, src);
  if (!options.writeKey) return warn('add data-write-key="…" to the script tag');

  const load: ChunkLoader = (name) => import(/* webpackIgnore: true */ new URL(chunkFiles[name], src).href);
  const tracker = startTracker(options, load);
  // Callable like the stub, trailmark('track', …), and with methods, trailmark.track(…).
  const global = Object.assign(
    (method: keyof Tracker, ...args: unknown[]) => (tracker[method] as ((...a: unknown[]) => unknown) | undefined)?.(...args),
    tracker,
    { [LOADED]: true },
  ) as Global;
  const queued = (existing as Stub | undefined)?.q || [];
  w.trailmark = global;
  for (const args of Array.from(queued)) global(...(Array.from(args) as [keyof Tracker, ...unknown[]]));
}

try {
  install();
} catch (error) {
  warn(error);
}
