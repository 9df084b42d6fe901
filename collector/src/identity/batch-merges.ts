/**
 * The profiles a drained batch merged, as its appliers see them: a message
 * applied before a merge of its batch names a profile merged away since.
 * Pure: tested beside.
 */

/** Where each profile merged away in the batch went (from → into). */
export function mergeTargets(merges: readonly { from: string; into: string }[]): Map<string, string> {
  return new Map(merges.map(({ from, into }) => [from, into]));
}

/**
 * The profile `profileId` is now after the batch's merges: itself when it
 * was not merged away, the last of a chain (a → b → c in one batch ends in
 * c). A cycle, which merges never make, ends where it would repeat.
 */
export function survivorOf(profileId: string, targets: ReadonlyMap<string, string>): string {
  let current = profileId;
  const seen = new Set<string>();
  while (targets.has(current) && !seen.has(current)) {
    seen.add(current);
    current = targets.get(current)!;
  }
  return current;
}
