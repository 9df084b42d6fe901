/**
 * Messages acknowledged but not stored because of the site's privacy
 * settings: counted by reason, and explained in the ingest answer so that
 * the sender learns why and what to do.
 */
import type { DropReason, IngestResponse } from '@trailmark/schema';

export type DropCounts = Partial<Record<DropReason, number>>;

const EXPLANATIONS: Record<DropReason, string> = {
  consent_missing:
    'The site requires consent, and these messages carry none: send them once the visitor agreed, with context.consent.status "granted" (the Trailmark tag does this by itself after consent("granted")), or turn requireConsent off for the site.',
  gpc: 'The browser sent Global Privacy Control and the site honours it (honorGpc): nothing from this browser is stored.',
};

export function countDrop(counts: DropCounts, reason: DropReason, n = 1): DropCounts {
  counts[reason] = (counts[reason] ?? 0) + n;
  return counts;
}

/** The `dropped` and `dropReasons` fields of the ingest answer; nothing when nothing was dropped. */
export function dropAnswer(counts: DropCounts): Pick<IngestResponse, 'dropped' | 'dropReasons'> {
  const reasons = (Object.keys(counts) as DropReason[]).filter((reason) => counts[reason]! > 0);
  if (reasons.length === 0) return {};
  return {
    dropped: reasons.reduce((sum, reason) => sum + counts[reason]!, 0),
    dropReasons: reasons.map((reason) => ({ reason, count: counts[reason]!, message: EXPLANATIONS[reason] })),
  };
}

/** Sums counts (of several shards or sites). */
export function addDropCounts(into: DropCounts, from: DropCounts): DropCounts {
  for (const reason of Object.keys(from) as DropReason[]) countDrop(into, reason, from[reason]);
  return into;
}
