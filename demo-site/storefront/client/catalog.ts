/** The shop's catalog as the browser gets it (/catalog.json, written at build time). */

export interface CatalogEntry {
  id: string;
  name: string;
  brand: string;
  category: string;
  sku: string;
  price: number;
  currency: string;
  url: string;
  image: string;
  inStock: boolean;
}

let catalog: Promise<CatalogEntry[]> | undefined;

export function loadCatalog(): Promise<CatalogEntry[]> {
  catalog ??= fetch('/catalog.json').then((response) => {
    if (!response.ok) throw new Error(`/catalog.json answered ${response.status}`);
    return response.json() as Promise<CatalogEntry[]>;
  });
  return catalog;
}
