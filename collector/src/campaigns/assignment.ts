/**
 * Who is in which group, decided by a hash, so the answer is the same in
 * every object and on every retry, and independent between campaigns (and
 * from the recommendation holdout, which hashes with another seed).
 *
 * - A campaign's group: from the campaign id and the profile id the person
 *   had when first assigned. The assignment is then stored and follows the
 *   person through identity merges (it is never computed again from the
 *   merged profile's id), so nobody changes group.
 * - The site-wide holdout: from the site and the profile id. Shoppers in it
 *   get no campaign and no personalisation, so the total incrementality of
 *   everything the site does can be read against them.
 */
import { hash53 } from '../lib/hash';

export type CampaignGroup = 'treatment' | 'control';

/** Buckets of 0.01%: percentages with two decimals are exact. */
const BUCKETS = 10_000;

export function campaignGroup(campaignId: string, profileId: string, holdoutPercent: number): CampaignGroup {
  const bucket = hash53(`${campaignId}\n${profileId}`, 13) % BUCKETS;
  return bucket < Math.round(holdoutPercent * 100) ? 'control' : 'treatment';
}

export function inGlobalHoldout(writeKey: string, profileId: string, globalHoldoutPercent: number): boolean {
  if (!(globalHoldoutPercent > 0)) return false;
  return hash53(`${writeKey}\n${profileId}`, 29) % BUCKETS < Math.round(globalHoldoutPercent * 100);
}
