import type { TrackerOptions } from './types';

/**
 * Tracker options from the data-* attributes of the tag's script element,
 * by their names (`data-write-key` is `writeKey`, `data-flush-interval`
 * is `flushInterval`); "true", "false" and a bare attribute are booleans.
 * The collector URL defaults to the directory the tag came from:
 * https://shop.example/t/tag.js → https://shop.example/t
 */
export function scriptOptions(data: DOMStringMap, src: string): TrackerOptions {
  const options: Record<string, unknown> = { apiHost: new URL('.', src).href };
  for (const key in data) {
    const value = data[key];
    options[key] = value == 'false' ? false : value == '' || value == 'true' ? true : value;
  }
  return options as unknown as TrackerOptions;
}
