/**
 * Category paths as shops send them ("Outdoor > Tents > Dome"), compared
 * without regard to case or spacing. A condition on "Outdoor" covers its
 * subcategories, so a path also counts for each of its ancestors.
 */

/** `outdoor > tents` for "Outdoor >Tents ", or undefined for an empty path. */
export function categoryKey(category: string): string | undefined {
  const parts = category
    .split('>')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  return parts.length ? parts.join(' > ') : undefined;
}

/** The key of a path and of each ancestor, the top first: `outdoor`, `outdoor > tents`. */
export function categoryKeys(category: string): string[] {
  const key = categoryKey(category);
  if (!key) return [];
  const parts = key.split(' > ');
  return parts.map((_, i) => parts.slice(0, i + 1).join(' > '));
}

/** Whether the path `key` is `within` or one of its subcategories (both keys). */
export function isWithin(key: string, within: string): boolean {
  return key === within || key.startsWith(`${within} > `);
}
