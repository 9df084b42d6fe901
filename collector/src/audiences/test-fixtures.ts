/** Profiles and site settings for the audience tests (not part of the Worker). */
import { newProfile, type Profile } from '../profiles/profile';
import type { AudienceSubject, FactSite } from './facts';
import { ProfileFacts } from './facts';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const NOW = Date.UTC(2026, 2, 1, 12);

export const SITE: FactSite = {
  lifecycle: { activeDays: 14, atRiskDays: 30, lapsedDays: 90 },
  rfm: { computedAt: NOW, customers: 100, recency: [7, 30, 90, 180], frequency: [2, 3, 5, 8], monetary: [50, 100, 250, 500] },
};

/** A profile first and last seen `ago` ms before NOW, with overrides. */
export function profile(overrides: Partial<Profile> = {}, ago = HOUR): Profile {
  const p = newProfile(overrides.profileId ?? 'p1', NOW - ago);
  p.sessionCount = 2;
  return Object.assign(p, overrides);
}

export function factsOf(p: Profile, extra: Partial<AudienceSubject> = {}, site: FactSite = SITE): ProfileFacts {
  return new ProfileFacts({ profile: p, ...extra }, site);
}

/**
 * A shop with `regional` audiences each for one region (or two), and
 * `general` ones every shopper may be near: the cost benchmark's set.
 */
export function manyAudiences(regional: number, general = 10): { id: string; definition: unknown }[] {
  const region = (i: number) => ({ fact: 'region', op: 'eq', value: `Region ${i}` });
  const second = [
    { fact: 'cartIdleMinutes', op: 'gte', value: 30 },
    { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 1 },
    {
      all: [
        { fact: 'lastSeenDays', op: 'gt', value: 30 },
        { fact: 'revenue', op: 'gte', value: 100 },
      ],
    },
    { fact: 'reorderDueDays', op: 'lte', value: 3 },
    { fact: 'interest', category: 'Outdoor', op: 'gte', value: 0.5 },
  ];
  const regionalSet = Array.from({ length: regional }, (_, i) => ({
    id: `region-${i}`,
    definition: { all: [i % 5 === 4 ? { fact: 'region', op: 'in', value: [`Region ${i}`, `Region ${i + 1}`] } : region(i), second[i % 5]] },
  }));
  const generalSet = [
    { fact: 'cartIdleMinutes', op: 'gte', value: 30 },
    {
      all: [
        { fact: 'cartIdleMinutes', op: 'gte', value: 1440 },
        { fact: 'cartValue', op: 'gte', value: 100 },
      ],
    },
    { fact: 'viewedCategory', category: 'Outdoor > Tents', withinMinutes: 30, op: 'gte', value: 1 },
    { fact: 'viewedCategory', category: 'Outdoor > Cooking', withinMinutes: 60, op: 'gte', value: 2 },
    {
      all: [
        { fact: 'lastSeenDays', op: 'gt', value: 30 },
        { fact: 'rfm.monetary', op: 'gte', value: 4 },
      ],
    },
    {
      all: [
        { fact: 'lifecycle', op: 'eq', value: 'sleeping' },
        { fact: 'orders', op: 'gte', value: 1 },
      ],
    },
    { fact: 'reorderDueDays', op: 'lte', value: 3 },
    {
      all: [
        { fact: 'country', op: 'neq', value: 'US' },
        { fact: 'purchased', category: 'Data packs', op: 'eq', value: 0 },
      ],
    },
    {
      all: [
        { fact: 'identified', op: 'eq', value: false },
        { fact: 'sessions', op: 'gte', value: 3 },
      ],
    },
    { any: [{ fact: 'interest', category: 'Books', op: 'gte', value: 0.8 }, { not: { fact: 'lastOrderDays', op: 'lt', value: 90 } }] },
  ]
    .slice(0, general)
    .map((definition, i) => ({ id: `general-${i}`, definition }));
  return [...regionalSet, ...generalSet];
}
