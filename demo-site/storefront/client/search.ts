/**
 * Search over the catalog in the browser: every word of the query must
 * appear (as the start of a word) in the product's name, brand or aisle;
 * matches in the name rank first. "mugs" finds "Mug", as people expect.
 */
import type { CatalogEntry } from './catalog';

const words = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** A word and its singular, so "beans" matches "bean" and "boxes" matches "box". */
function forms(word: string): string[] {
  const out = [word];
  if (word.length > 3 && word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.length > 2 && word.endsWith('s')) out.push(word.slice(0, -1));
  return out;
}

export function searchCatalog(catalog: readonly CatalogEntry[], query: string): CatalogEntry[] {
  const terms = words(query);
  if (terms.length === 0) return [];
  const scored: { entry: CatalogEntry; score: number }[] = [];
  for (const entry of catalog) {
    const name = words(entry.name);
    const rest = words(`${entry.brand} ${entry.category}`);
    let score = 0;
    for (const term of terms) {
      const matches = (ws: string[]) => forms(term).some((f) => ws.some((w) => w.startsWith(f)));
      if (matches(name)) score += 2;
      else if (matches(rest)) score += 1;
      else {
        score = 0;
        break;
      }
    }
    if (score > 0) scored.push({ entry, score: score + (entry.inStock ? 0.5 : 0) });
  }
  return scored.sort((a, b) => b.score - a.score || a.entry.name.localeCompare(b.entry.name)).map((s) => s.entry);
}
