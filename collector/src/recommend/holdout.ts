/**
 * The holdout: a fixed share of shoppers (the control group) sees
 * non-personalised picks, so the lift of personalisation is measured, not
 * assumed. Assignment is a hash of the site and the stitched profile id:
 * deterministic, stable across requests and isolates, independent per site.
 */
import type { Variant } from '@trailmark/schema';
import { hash53 } from '../lib/hash';

export function variantFor(writeKey: string, profileId: string, holdoutPercent: number): Variant {
  const bucket = hash53(`${writeKey}:${profileId}`, 7) % 10_000;
  return bucket < holdoutPercent * 100 ? 'control' : 'treatment';
}
