/**
 * Money per currency: amounts are added up within a currency and never
 * across currencies (there is no exchange rate here to convert them by).
 * The site's currency comes first (at 0 when nothing was sold in it), then
 * the others by amount. Pure.
 */
import type { Money } from '@trailmark/schema';

/** Cents are enough for every figure shown; rounding also hides float dust (0.1 + 0.2). */
export const roundMoney = (amount: number) => Math.round(amount * 100) / 100;

export function moneyList(rows: Iterable<{ currency: string; amount: number }>, siteCurrency: string): Money[] {
  const totals = new Map<string, number>([[siteCurrency, 0]]);
  for (const { currency, amount } of rows) totals.set(currency, (totals.get(currency) ?? 0) + amount);
  return [...totals]
    .map(([currency, amount]) => ({ currency, amount: roundMoney(amount) }))
    .filter((m) => m.amount !== 0 || m.currency === siteCurrency)
    .sort((a, b) => Number(b.currency === siteCurrency) - Number(a.currency === siteCurrency) || b.amount - a.amount);
}

/** The site's currency from its settings (`settings.currency`, ISO 4217), USD when unset. */
export function siteCurrency(settings: object): string {
  const value = (settings as { currency?: unknown }).currency;
  return typeof value === 'string' && /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : 'USD';
}
