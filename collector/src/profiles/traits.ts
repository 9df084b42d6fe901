/**
 * Identify traits kept on the profile for audience conditions (`trait.email`).
 * Personal data: they leave the profile host only towards destinations and
 * the admin API, never in a public answer.
 *
 * Bounded: scalars only (nested objects one level deep, as `address.city`),
 * strings cut to MAX_TRAIT_TEXT characters, at most MAX_TRAITS names; a trait
 * set to null is removed, as a later identify that clears it means.
 */
export type TraitValue = string | number | boolean;
export type Traits = Record<string, TraitValue>;

export const MAX_TRAITS = 50;
export const MAX_TRAIT_TEXT = 256;
const MAX_NAME = 64;
const NAME = /^[A-Za-z0-9_$][A-Za-z0-9_$-]*$/;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function scalar(value: unknown): TraitValue | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') return value.slice(0, MAX_TRAIT_TEXT);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

/** Flattened scalar traits of an identify call: name → value, or null to remove. */
function flatten(raw: Record<string, unknown>): [string, TraitValue | null][] {
  const out: [string, TraitValue | null][] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (!NAME.test(name) || name.length > MAX_NAME) continue;
    if (isObject(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        const path = `${name}.${inner}`;
        const v = scalar(innerValue);
        if (NAME.test(inner) && path.length <= MAX_NAME && v !== undefined) out.push([path, v]);
      }
      continue;
    }
    const v = scalar(value);
    if (v !== undefined) out.push([name, v]);
  }
  return out;
}

/** The traits after an identify call (a new object); new names beyond the cap are dropped. */
export function withTraits(current: Traits | undefined, raw: unknown): Traits {
  const traits: Traits = { ...current };
  if (!isObject(raw)) return traits;
  let count = Object.keys(traits).length;
  for (const [name, value] of flatten(raw)) {
    const known = Object.prototype.hasOwnProperty.call(traits, name);
    if (value === null) {
      if (known) {
        delete traits[name];
        count--;
      }
    } else if (known || count < MAX_TRAITS) {
      if (!known) count++;
      traits[name] = value;
    }
  }
  return traits;
}

/** Traits of two profiles joined: the newer side wins a name both have. */
export function mergeTraits(older: Traits | undefined, newer: Traits | undefined): Traits | undefined {
  if (!older && !newer) return undefined;
  const merged: Traits = { ...newer };
  for (const [name, value] of Object.entries(older ?? {})) {
    if (Object.keys(merged).length >= MAX_TRAITS) break;
    if (!Object.prototype.hasOwnProperty.call(merged, name)) merged[name] = value;
  }
  return merged;
}
