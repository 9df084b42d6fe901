/**
 * The money of an `Order Completed`: its stated `total` (or `revenue`), else
 * the sum of its products, never below zero; in its own `currency`, else the
 * site's. The profile's revenue and a campaign's revenue read it alike, so
 * both count the same amount for the same stored event.
 */
import type { ProductFacts } from '../catalog/product-facts';

export function orderTotal(properties: Record<string, unknown>, products: readonly ProductFacts[], siteCurrency: string): { total: number; currency: string } {
  const stated = typeof properties.total === 'number' ? properties.total : typeof properties.revenue === 'number' ? properties.revenue : undefined;
  // Ingest refuses negative money; a message stored before that counts as nothing, never below zero.
  const total = Math.max(0, stated ?? products.reduce((sum, p) => sum + (p.price ?? 0) * (p.quantity ?? 1), 0));
  const currency = typeof properties.currency === 'string' && properties.currency ? properties.currency.toUpperCase() : siteCurrency;
  return { total: Number.isFinite(total) ? total : 0, currency };
}
