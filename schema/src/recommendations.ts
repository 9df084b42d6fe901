/** The recommendation slots and the response of `GET /v1/recommendations`. */
import type { RecommendationExplain } from './merchandising';

export const SLOTS = ['home', 'product', 'cart', 'trending', 'reorder'] as const;
export type Slot = (typeof SLOTS)[number];

export type Variant = 'treatment' | 'control';

/** A product as the catalog knows it: learned from product events or loaded in bulk. */
export interface CatalogItem {
  productId: string;
  name: string;
  price?: number;
  currency?: string;
  imageUrl?: string;
  url?: string;
  category?: string;
  inStock: boolean;
}

export interface RecommendedItem extends Omit<CatalogItem, 'inStock'> {
  score: number;
  /** Which strategy put the item here, e.g. `popular-in-region`, `also-viewed`. */
  reason: string;
}

export interface RecommendationResponse {
  recId: string;
  slot: Slot;
  variant: Variant;
  strategy: string;
  items: RecommendedItem[];
  /** Why the items are what they are (merchandising rules): for admins only, see RecommendationExplain. */
  explain?: RecommendationExplain;
}
