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

const matchesAny = (term: string, ws: string[]) => forms(term).some((f) => ws.some((w) => w.startsWith(f)));

export function searchCatalog(catalog: readonly CatalogEntry[], query: string): CatalogEntry[] {
  const terms = words(query);
  if (terms.length === 0) return [];
  const scored: { entry: CatalogEntry; score: number }[] = [];
  for (const entry of catalog) {
    const name = words(entry.name);
    const rest = words(`${entry.brand} ${entry.category}`);
    let score = 0;
    for (const term of terms) {
      if (matchesAny(term, name)) score += 2;
      else if (matchesAny(term, rest)) score += 1;
      else {
        score = 0;
        break;
      }
    }
    if (score > 0) scored.push({ entry, score: score + (entry.inStock ? 0.5 : 0) });
  }
  return scored.sort((a, b) => b.score - a.score || a.entry.name.localeCompare(b.entry.name)).map((s) => s.entry);
}

/** For a search that found nothing: products that match at least one of its words (of three letters or more), most words first. */
export function searchCatalogLoosely(catalog: readonly CatalogEntry[], query: string): CatalogEntry[] {
  const terms = words(query).filter((t) => t.length >= 3);
  if (terms.length === 0) return [];
  return catalog
    .map((entry) => ({
      entry,
      score: terms.filter((t) => matchesAny(t, words(`${entry.name} ${entry.brand} ${entry.category}`))).length + (entry.inStock ? 0.5 : 0),
    }))
    .filter((s) => s.score >= 1)
    .sort((a, b) => b.score - a.score || a.entry.name.localeCompare(b.entry.name))
    .map((s) => s.entry);
}

/** Aisles ("Top > Sub") whose names share a word with the query, or whose products do. */
export function aislesMatching(catalog: readonly CatalogEntry[], query: string): string[] {
  const counts = new Map<string, number>();
  for (const entry of searchCatalogLoosely(catalog, query)) counts.set(entry.category, (counts.get(entry.category) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([aisle]) => aisle);
}
